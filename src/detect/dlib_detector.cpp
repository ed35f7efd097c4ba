#include "detect/dlib_detector.hpp"

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "gpen/error.hpp"
#include "detect/detection_image.hpp"
#include "imaging/image_convert.hpp"

namespace gpen::detail {

namespace {

// dlib's frontal detector scans an 80x80 window (and smaller scales of the image).
constexpr double kWindow = 80.0;

Point mean_point(const dlib::full_object_detection& shape, int first, int last, double inv) {
  double x = 0.0, y = 0.0;
  for (int i = first; i <= last; ++i) {
    x += shape.part(i).x();
    y += shape.part(i).y();
  }
  const double n = last - first + 1;
  return {static_cast<float>(x / n * inv), static_cast<float>(y / n * inv)};
}

Point point(const dlib::full_object_detection& shape, int i, double inv) {
  return {static_cast<float>(shape.part(i).x() * inv), static_cast<float>(shape.part(i).y() * inv)};
}

class DlibDetector : public FaceDetector {
 public:
  explicit DlibDetector(const std::string& landmarks_path) : detector_(dlib::get_frontal_face_detector()) {
    std::error_code ec;
    if (!std::filesystem::exists(landmarks_path, ec)) {
      throw Error(ErrorCode::FileNotFound,
                  "dlib landmark model not found: " + landmarks_path +
                      " (install Debian's libdlib-data, or set GPEN_DLIB_LANDMARKS)");
    }
    try {
      dlib::deserialize(landmarks_path) >> predictor_;
    } catch (const std::exception& e) {
      throw Error(ErrorCode::InvalidModel,
                  "cannot load dlib landmark model " + landmarks_path + ": " + e.what());
    }
  }

  std::string name() const override { return "dlib"; }

  std::vector<DetectedFace> detect(const ImageView& image, float min_face_size,
                                   int max_side) const override {
    const cv::Mat bgr = to_bgr8(image, "photo");
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    double scale = 1.0;
    const cv::Mat work = detection_image(gray, kWindow / std::max(8.0f, min_face_size), max_side, scale);
    const dlib::cv_image<unsigned char> dimg(work);
    std::vector<dlib::rect_detection> found;
    dlib::frontal_face_detector detector = detector_;  // operator() is not const; copies are cheap
    detector(dimg, found, 0.0);
    const double inv = 1.0 / scale;
    // Landmarks of a face found on a reduced copy are placed on the full-resolution photo: the
    // copy only had to be big enough to find the face, not to place its eyes to the pixel.
    const bool refine = scale < 1.0;
    const dlib::cv_image<unsigned char> full(gray);
    const double landmark_inv = refine ? 1.0 : inv;
    std::vector<DetectedFace> faces;
    for (const dlib::rect_detection& d : found) {
      const dlib::rectangle on_full(std::lround(d.rect.left() * inv), std::lround(d.rect.top() * inv),
                                    std::lround(d.rect.right() * inv), std::lround(d.rect.bottom() * inv));
      const dlib::full_object_detection shape = refine ? predictor_(full, on_full) : predictor_(dimg, d.rect);
      DetectedFace face;
      face.box = {static_cast<float>(d.rect.left() * inv), static_cast<float>(d.rect.top() * inv),
                  static_cast<float>(d.rect.width() * inv), static_cast<float>(d.rect.height() * inv)};
      if (face.box.width < min_face_size) continue;
      face.score = static_cast<float>(d.detection_confidence);
      // 68-point indices: 36-41 and 42-47 eyes, 30 nose tip, 48 and 54 mouth corners.
      face.landmarks = {mean_point(shape, 36, 41, landmark_inv), mean_point(shape, 42, 47, landmark_inv),
                        point(shape, 30, landmark_inv), point(shape, 48, landmark_inv),
                        point(shape, 54, landmark_inv)};
      faces.push_back(face);
    }
    return faces;
  }

 private:
  dlib::frontal_face_detector detector_;
  dlib::shape_predictor predictor_;
};

}  // namespace

std::string dlib_landmarks_path() {
  const char* env = std::getenv("GPEN_DLIB_LANDMARKS");
  if (env && *env) return env;
  return "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
}

std::unique_ptr<FaceDetector> make_dlib_detector(const std::string& landmarks_path) {
  return std::make_unique<DlibDetector>(landmarks_path);
}

}  // namespace gpen::detail
