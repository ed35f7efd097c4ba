#include "video/face_tracker.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "gpen/error.hpp"

namespace gpen::detail {

namespace {

constexpr double kMinOverlap = 0.3;
constexpr int kMaxMissed = 10;
constexpr double kSpeedCutoffHz = 1.0;  // of the filter on the speed itself
constexpr double kBeta = 2.0;           // Hz of cutoff per face width per second

double overlap(const Box& a, const Box& b) {
  const double x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  const double x1 = std::min(a.x + a.width, b.x + b.width), y1 = std::min(a.y + a.height, b.y + b.height);
  const double inter = std::max(0.0, x1 - x0) * std::max(0.0, y1 - y0);
  const double both = static_cast<double>(a.width) * a.height + static_cast<double>(b.width) * b.height - inter;
  return both > 0 ? inter / both : 0.0;
}

// The smoothing factor of a first-order low-pass filter with `cutoff` Hz over `dt` seconds.
double alpha(double cutoff, double dt) {
  const double tau = 1.0 / (2.0 * M_PI * cutoff);
  return 1.0 / (1.0 + tau / dt);
}

}  // namespace

FaceTracker::FaceTracker(double smoothing)
    : min_cutoff_hz_(3.0 * std::pow(10.0, -1.5 * std::clamp(smoothing, 0.0, 1.0))), enabled_(smoothing > 0.0) {}

DetectedFace FaceTracker::smoothed(Track& track, const DetectedFace& face, double seconds) const {
  DetectedFace out = face;
  const bool first = track.filters.empty();
  if (first) track.filters.resize(2 * face.landmarks.size());
  const double dt = seconds - track.last_seconds;
  const double width = std::max(1.0f, face.box.width);
  for (std::size_t i = 0; i < face.landmarks.size(); ++i) {
    float* coordinates[2] = {&out.landmarks[i].x, &out.landmarks[i].y};
    for (int c = 0; c < 2; ++c) {
      OneEuro& f = track.filters[2 * i + c];
      const double x = *coordinates[c];
      if (first || !enabled_ || dt <= 0.0) {  // start, off, or a repeated timestamp: as detected
        f.value = x;
        f.speed = 0.0;
        continue;
      }
      const double speed = (x - f.value) / dt / width;
      f.speed += alpha(kSpeedCutoffHz, dt) * (speed - f.speed);
      const double cutoff = min_cutoff_hz_ + kBeta * std::abs(f.speed);
      f.value += alpha(cutoff, dt) * (x - f.value);
      *coordinates[c] = static_cast<float>(f.value);
    }
  }
  track.last_seconds = seconds;
  return out;
}

std::vector<FaceTracker::Tracked> FaceTracker::update(const std::vector<DetectedFace>& detections, double seconds) {
  std::vector<bool> taken(tracks_.size(), false);
  std::vector<Tracked> out;
  for (const DetectedFace& face : detections) {
    int best = -1;
    double best_overlap = kMinOverlap;
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
      const double o = taken[t] ? 0.0 : overlap(tracks_[t].box, face.box);
      if (o >= best_overlap) {
        best = static_cast<int>(t);
        best_overlap = o;
      }
    }
    if (best < 0) {
      Track track;
      track.id = static_cast<int>(frames_per_track_.size());
      frames_per_track_.push_back(0);
      tracks_.push_back(track);
      taken.push_back(false);
      best = static_cast<int>(tracks_.size()) - 1;
    }
    Track& track = tracks_[best];
    taken[best] = true;
    track.box = face.box;
    track.missed = 0;
    ++frames_per_track_[track.id];
    out.push_back({smoothed(track, face, seconds), track.id});
  }
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    if (!taken[t]) ++tracks_[t].missed;
  }
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(), [](const Track& t) { return t.missed > kMaxMissed; }),
                tracks_.end());
  return out;
}

std::string FaceTracker::state() const {
  nlohmann::json tracks = nlohmann::json::array();
  for (const Track& t : tracks_) {
    nlohmann::json filters = nlohmann::json::array();
    for (const OneEuro& f : t.filters) filters.push_back({f.value, f.speed});
    tracks.push_back({{"id", t.id},
                      {"box", {t.box.x, t.box.y, t.box.width, t.box.height}},
                      {"filters", filters},
                      {"last_seconds", t.last_seconds},
                      {"missed", t.missed}});
  }
  return nlohmann::json{{"tracks", tracks}, {"frames_per_track", frames_per_track_}}.dump();
}

void FaceTracker::set_state(const std::string& text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    std::vector<Track> tracks;
    for (const nlohmann::json& t : j.at("tracks")) {
      Track track;
      track.id = t.at("id").get<int>();
      const auto box = t.at("box").get<std::vector<float>>();
      if (box.size() != 4) throw std::runtime_error("a box has 4 numbers");
      track.box = Box{box[0], box[1], box[2], box[3]};
      for (const nlohmann::json& f : t.at("filters")) track.filters.push_back({f.at(0).get<double>(), f.at(1).get<double>()});
      track.last_seconds = t.at("last_seconds").get<double>();
      track.missed = t.at("missed").get<int>();
      tracks.push_back(track);
    }
    std::vector<std::int64_t> frames = j.at("frames_per_track").get<std::vector<std::int64_t>>();
    for (const Track& t : tracks) {
      if (t.id < 0 || t.id >= static_cast<int>(frames.size())) throw std::runtime_error("a track number out of range");
    }
    tracks_ = std::move(tracks);
    frames_per_track_ = std::move(frames);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::InvalidArgument, std::string("not a face tracker state: ") + e.what());
  }
}

}  // namespace gpen::detail
