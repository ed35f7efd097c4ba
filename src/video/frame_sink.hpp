#pragma once
// Where the restored frames of a video go: an encoded video (the input's other streams copied
// beside it), a folder of PNG images, or, for a resumable run, segments joined at the end
// (video_segments.hpp). The output is written into a locked temporary beside it and renamed onto
// it by finish(): never a partial file under the output's name.

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpen/image.hpp"
#include "gpen/video.hpp"
#include "io/atomic_file.hpp"
#include "video/video_segments.hpp"
#include "video/video_writer.hpp"

namespace gpen::detail {

class VideoReader;

class FrameSink {
 public:
  /// `reader_mutex` is held while the sink reads the streams of `reader` (another thread decodes
  /// from it). `segments`: the store of a resumable run, else nullptr.
  FrameSink(const std::string& output, const VideoOptions& options, const VideoReader& reader,
            std::mutex& reader_mutex, SegmentStore* segments);
  ~FrameSink();
  FrameSink(const FrameSink&) = delete;
  FrameSink& operator=(const FrameSink&) = delete;

  /// A restored frame at `pts` (the input video's time base), of resumable segment `segment`.
  void write(const Image& frame, std::int64_t pts, int segment);
  /// A packet of another stream: copied (when the video's size is known; kept until then).
  void other(AVPacket* packet);
  /// Resumable runs: segment `segment` is complete; `state` is recorded beside it.
  void end_segment(int segment, const SegmentState& state);
  /// Completes the output under its name (a resumable run joins its segments with the streams of
  /// `input`); returns the streams copied.
  int finish(const std::string& input);

 private:
  VideoEncoding encoding() const;
  /// What names the output's container: the `container` option, else the output's name.
  std::string container_name() const;
  void start(int width, int height);

  std::string output_;
  const VideoOptions& options_;
  const VideoReader& reader_;
  std::mutex& reader_mutex_;
  SegmentStore* segments_;
  LockedTemporary temporary_;
  std::unique_ptr<VideoWriter> writer_;
  std::vector<AVPacket*> waiting_;
  std::unique_ptr<LockedTemporary> segment_file_;
  int segment_ = 0;
  std::int64_t frames_ = 0;
  bool started_ = false;
};

}  // namespace gpen::detail
