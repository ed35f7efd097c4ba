#pragma once
// Videos: every frame of a clip restored as a photo, the sound and subtitles copied unchanged.
//
//   gpen::Restorer restorer(options);
//   gpen::VideoReport r = gpen::restore_video(restorer, "clip.mp4", "out/clip.mp4");
//
// Any container and codec Debian's FFmpeg libraries decode is read. The output has the same
// frame count, timestamps (variable frame rate included) and rotation metadata, its size times
// the upscale, and every audio and subtitle stream the container takes copied packet for packet;
// its codec, quality and container are VideoOptions (gpen/params.def: H.264 at CRF 18 in the
// container its name asks for), or it is a folder of PNG frames. It is written to a temporary
// beside the output and renamed when complete: there is never a partial file under the output's
// name. Faces are tracked from frame to frame and their landmarks smoothed over time (a One-Euro
// filter, `smoothing`), so that a still face does not jitter; with `detect_every` N > 1 faces are
// searched for on every Nth frame and followed by optical flow in between.
// Decoding, restoring and encoding run at the same time (three threads joined by bounded
// queues); the progress callback and cancellation stay on the calling thread. With `resume` the
// video is written in segments beside the output (.NAME.parts/), so that a run interrupted in any
// way goes on from its last complete segment when started again (src/video/video_segments.hpp).
// The faces of consecutive frames are restored together, up to max_batch in one model call.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gpen/export.hpp"
#include "gpen/params.hpp"
#include "gpen/restorer.hpp"

namespace gpen {

struct VideoProgress {
  std::int64_t frames_done = 0;
  std::int64_t frames_total = 0;  ///< the container's count or estimate; 0 when unknown
  double elapsed_s = 0.0;
  double eta_s = 0.0;  ///< 0 when unknown
};

struct GPEN_API VideoOptions {
  // The fields, their defaults, ranges and documentation: gpen/params.def.
#define GPEN_VIDEO_OPTION(KIND, type, name, value, lo, hi, choices, doc) type name = value;
#include "gpen/params.def"

  /// Not a parameter: called after each frame, from the calling thread. An exception it throws
  /// stops the run (nothing is left under the output's name).
  std::function<void(const VideoProgress&)> progress;

  /// Throws gpen::Error(InvalidArgument) naming the first option out of range.
  void validate() const;
};

struct VideoReport {
  std::string output;
  std::int64_t frames = 0;       ///< frames decoded, restored and encoded
  std::int64_t faces = 0;        ///< faces restored over all frames
  /// Faces followed across frames: frames each was seen in, by track number (0, 1, ...).
  std::vector<std::int64_t> frames_per_track;
  int copied_streams = 0;        ///< audio and subtitle streams copied
  int damaged = 0;               ///< packets or reads that failed (a truncated or damaged file)
  int width = 0;                 ///< output frame size
  int height = 0;
  std::int64_t detections = 0;   ///< frames searched for faces (all of them when detect_every is 1)
  std::int64_t resumed_frames = 0;  ///< of `frames`, restored by an earlier, interrupted run (resume)
  /// Model calls; the faces of consecutive frames share them (up to max_batch faces each).
  std::int64_t model_calls = 0;
  double seconds = 0.0;          ///< wall time
  /// Busy time of each stage (decode, restore, encode and write run at the same time, joined by
  /// bounded queues); their sum is what one loop doing each in turn would take.
  double decode_s = 0.0;
  double compute_s = 0.0;
  double encode_s = 0.0;
  double compute_busy_fraction = 0.0;  ///< compute_s / seconds
};

/// Restores `input` into `output` (see above). `params.should_stop` cancels between frames
/// (Cancelled; nothing is left under the output's name). Throws gpen::Error: FileNotFound,
/// DecodeFailed (not a video, no video stream, nothing decodable), InvalidArgument (an output
/// that is the input, an unknown container, a codec the container cannot hold, an option out of
/// range), EncodeFailed.
GPEN_API VideoReport restore_video(const Restorer& restorer, const std::string& input, const std::string& output,
                                   const RestoreParams& params = RestoreParams(),
                                   const VideoOptions& options = VideoOptions());

/// Whether FFmpeg opens `path` as a video with a video stream (by content, not by name; still
/// images, image sequences and GIFs are not videos).
GPEN_API bool is_video_file(const std::string& path);

}  // namespace gpen
