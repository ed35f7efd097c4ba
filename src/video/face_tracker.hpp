#pragma once
// Faces followed from frame to frame, their landmarks smoothed over time so that a still face
// does not jitter (the detector places the eyes a pixel or two differently on every frame, and
// the aligned crop, the restored face and its paste-back mask move with them: flicker).
//
// Tracking: each detection joins the live track whose last box overlaps it most (intersection
// over union >= 0.3), else starts a new track; a track unseen for more than 10 frames ends.
// Smoothing: a One-Euro filter (Casiez, Roussel, Vogel, CHI 2012) on each landmark coordinate: a
// low-pass filter whose cutoff rises with the landmark's speed, so a still face is held steady
// and a moving one followed without lag. Its speed is measured in face widths per second, so the
// filter behaves the same for small and large faces.

#include <cstdint>
#include <string>
#include <vector>

#include "gpen/face.hpp"

namespace gpen::detail {

class FaceTracker {
 public:
  /// `smoothing` 0 (off: landmarks as detected) to 1 (strongest); the cutoff for a still face is
  /// 3 * 10^(-1.5 * smoothing) Hz: 0.53 Hz at the default 0.5.
  explicit FaceTracker(double smoothing = 0.5);

  struct Tracked {
    DetectedFace face;  ///< landmarks smoothed
    int track = 0;      ///< 0, 1, 2, ... in order of first appearance
  };

  /// The frame at `seconds` (its timestamp: variable frame rates are followed) and its detections.
  std::vector<Tracked> update(const std::vector<DetectedFace>& detections, double seconds);

  /// Frames each track was seen in, by track number.
  const std::vector<std::int64_t>& frames_per_track() const { return frames_per_track_; }

  /// The whole state as JSON text (numbers that read back exactly), and back: a resumed video
  /// goes on exactly as the run that stopped would have. set_state throws gpen::Error
  /// (InvalidArgument) for text that is not such a state.
  std::string state() const;
  void set_state(const std::string& text);

 private:
  struct OneEuro {
    double value = 0.0;
    double speed = 0.0;
  };
  struct Track {
    int id = 0;
    Box box;
    std::vector<OneEuro> filters;  // x, y of each landmark
    double last_seconds = 0.0;
    int missed = 0;
  };

  DetectedFace smoothed(Track& track, const DetectedFace& face, double seconds) const;

  double min_cutoff_hz_;
  bool enabled_;
  std::vector<Track> tracks_;
  std::vector<std::int64_t> frames_per_track_;
};

}  // namespace gpen::detail
