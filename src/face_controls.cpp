#include "face_controls.hpp"

#include <algorithm>

#include "enhance.hpp"

namespace gpen::detail {

cv::Mat prepare_face(const cv::Mat& face, const RestoreParams& params) {
  if (params.mode == Mode::Strong) return denoise(face, 40.0f);
  return face;
}

cv::Mat finish_face(const cv::Mat& original, const cv::Mat& restored, const RestoreParams& params) {
  cv::Mat face = restored;
  if (params.mode == Mode::Strong) face = auto_levels(face, 0.5, 99.5);
  if (params.mode == Mode::Detail) face = unsharp_mask(face, 0.5, std::max(1.0, face.cols / 256.0));
  face = blend(original, face, params.strength / 100.0);
  if (params.denoise > 0.0f) face = denoise(face, params.denoise);
  if (params.sharpen > 0.0f) face = sharpen(face, params.sharpen);
  return face;
}

}  // namespace gpen::detail
