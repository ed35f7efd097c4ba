#include "face_controls.hpp"

#include <algorithm>

#include "enhance.hpp"

namespace gpen::detail {

cv::Mat prepare_face(const cv::Mat& face, const RestoreParams& params) {
  if (params.mode == Mode::Strong) return denoise(face, 40.0f);
  return face;
}

cv::Mat finish_restored_face(const cv::Mat& restored, const RestoreParams& params) {
  if (params.mode == Mode::Strong) return auto_levels(restored, 0.5, 99.5);
  if (params.mode == Mode::Detail) {
    return unsharp_mask(restored, 0.5, std::max(1.0, restored.cols / 256.0));
  }
  return restored;
}

cv::Mat finish_image(const cv::Mat& image, const RestoreParams& params) {
  cv::Mat out = image;
  if (params.denoise > 0.0f) out = denoise(out, params.denoise);
  if (params.sharpen > 0.0f) out = sharpen(out, params.sharpen);
  return out;
}

cv::Mat finish_aligned_face(const cv::Mat& original, const cv::Mat& restored,
                            const RestoreParams& params) {
  const cv::Mat face = finish_restored_face(restored, params);
  return finish_image(blend(original, face, params.strength / 100.0), params);
}

}  // namespace gpen::detail
