// restore_video in a build without FFmpeg's libraries (e.g. the GPU check's machine).

#include "gpen/video.hpp"

namespace gpen {

VideoReport restore_video(const Restorer&, const std::string& input, const std::string&, const RestoreParams&,
                          const VideoOptions&) {
  throw Error(ErrorCode::DecodeFailed, "cannot restore " + input + ": this gpen was built without video support "
                                       "(FFmpeg's libavformat, libavcodec, libswscale were not found)");
}

bool is_video_file(const std::string&) { return false; }

}  // namespace gpen
