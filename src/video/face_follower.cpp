#include "video/face_follower.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

namespace gpen::detail {

namespace {

constexpr double kMostBackwardError = 1.0;  // pixels

double spread(const std::vector<cv::Point2f>& points) {
  cv::Point2f centre(0, 0);
  for (const cv::Point2f& p : points) centre += p;
  centre *= 1.0f / static_cast<float>(points.size());
  double sum = 0.0;
  for (const cv::Point2f& p : points) sum += std::hypot(p.x - centre.x, p.y - centre.y);
  return sum / static_cast<double>(points.size());
}

cv::Point2f centre_of(const std::vector<cv::Point2f>& points) {
  cv::Point2f centre(0, 0);
  for (const cv::Point2f& p : points) centre += p;
  return centre * (1.0f / static_cast<float>(points.size()));
}

}  // namespace

cv::Mat FaceFollower::gray_of(const Image& frame) {
  const cv::Mat bgr(frame.height(), frame.width(), CV_8UC3, const_cast<std::uint8_t*>(frame.data()));
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return gray;
}

void FaceFollower::found(const Image& frame, const std::vector<DetectedFace>& faces) {
  previous_ = gray_of(frame);
  faces_ = faces;
}

std::vector<DetectedFace> FaceFollower::follow(const Image& frame) {
  cv::Mat current = gray_of(frame);
  std::vector<DetectedFace> followed;
  if (!previous_.empty() && previous_.size() == current.size() && !faces_.empty()) {
    std::vector<cv::Point2f> from;
    for (const DetectedFace& f : faces_) {
      for (const Point& p : f.landmarks) from.emplace_back(p.x, p.y);
    }
    std::vector<cv::Point2f> to, back;
    std::vector<unsigned char> ok, ok_back;
    std::vector<float> error;
    const cv::Size window(21, 21);
    cv::calcOpticalFlowPyrLK(previous_, current, from, to, ok, error, window, 3);
    cv::calcOpticalFlowPyrLK(current, previous_, to, back, ok_back, error, window, 3);
    std::size_t at = 0;
    for (const DetectedFace& f : faces_) {
      const std::size_t n = f.landmarks.size();
      bool all = n > 0;
      for (std::size_t i = at; i < at + n; ++i) {
        all = all && ok[i] && ok_back[i] && std::hypot(back[i].x - from[i].x, back[i].y - from[i].y) <= kMostBackwardError;
      }
      if (all) {
        const std::vector<cv::Point2f> a(from.begin() + at, from.begin() + at + n);
        const std::vector<cv::Point2f> b(to.begin() + at, to.begin() + at + n);
        const double scale = n > 1 && spread(a) > 0 ? spread(b) / spread(a) : 1.0;
        const cv::Point2f ca = centre_of(a), cb = centre_of(b);
        DetectedFace moved = f;
        for (std::size_t i = 0; i < n; ++i) moved.landmarks[i] = Point{b[i].x, b[i].y};
        // The box keeps its place relative to the landmarks' centre, scaled with their spread.
        moved.box.x = static_cast<float>(cb.x + (f.box.x - ca.x) * scale);
        moved.box.y = static_cast<float>(cb.y + (f.box.y - ca.y) * scale);
        moved.box.width = static_cast<float>(f.box.width * scale);
        moved.box.height = static_cast<float>(f.box.height * scale);
        followed.push_back(moved);
      }
      at += n;
    }
  }
  previous_ = current;
  faces_ = followed;
  return followed;
}

}  // namespace gpen::detail
