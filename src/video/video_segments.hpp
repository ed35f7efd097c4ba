#pragma once
// A resumable video (VideoOptions::resume): the restored video is written as segments of a few
// seconds into a hidden folder beside the output, ".NAME.parts/": 000001.nut, 000002.nut, ...
// (the video stream alone, each written atomically), each followed by 000001.json (the face
// tracker's state and the totals after that segment). A run that finds the folder, made for the
// same input and options, skips the frames of its complete segments and goes on from there;
// when every frame is done the segments are joined with the input's audio and subtitles into
// the output (atomically) and the folder is removed.

#include <cstdint>
#include <string>
#include <vector>

namespace gpen::detail {

class VideoReader;

/// What is known after a complete segment.
struct SegmentState {
  std::string tracker;         // FaceTracker::state()
  std::int64_t frames = 0;     // totals over this segment and the ones before it
  std::int64_t faces = 0;
  std::int64_t detections = 0;
  int width = 0;               // the restored frames' size
  int height = 0;
};

class SegmentStore {
 public:
  /// The folder for `output`; complete segments of an earlier run are kept when its
  /// `fingerprint` (input, options, model) is this run's, else the folder is started afresh.
  SegmentStore(const std::string& output, const std::string& fingerprint);

  /// Segments complete from earlier runs (numbered 1..completed()).
  int completed() const { return completed_; }
  /// The state after segment `k` (1 <= k <= completed()).
  SegmentState state(int k) const;
  /// Where segment `k` is written (through a LockedTemporary).
  std::string segment_path(int k) const;
  /// Records segment `k` (its file in place) as complete.
  void complete(int k, const SegmentState& state);
  /// Every segment written, in order.
  std::vector<std::string> segments() const;
  /// The folder and everything in it (after the output is in place).
  void remove();

 private:
  std::string state_path(int k) const;

  std::string dir_;
  int completed_ = 0;
  int last_ = 0;
};

/// Joins `segments` (NUT files of one video stream) with the audio and subtitle streams of
/// `input` (read from its start) into `path`, in the container `container_name` asks for, as
/// VideoWriter would write it. Returns the streams copied.
int join_segments(const std::vector<std::string>& segments, VideoReader& input, const std::string& path,
                  const std::string& container_name);

}  // namespace gpen::detail
