#include "photo/face_finishing.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "imaging/filters.hpp"
#include "gpen/error.hpp"
#include "imaging/image_convert.hpp"

namespace gpen::detail {

cv::Mat aligned_face_input(const ImageView& view, int size, const std::string& what) {
  constexpr int kMinSide = 16;
  cv::Mat face = to_bgr8(view, what);
  if (face.cols < kMinSide || face.rows < kMinSide) {
    throw Error(ErrorCode::InvalidImage, what + " is " + std::to_string(face.cols) + "x" +
                                             std::to_string(face.rows) + "; aligned faces must be at least " +
                                             std::to_string(kMinSide) + "x" + std::to_string(kMinSide));
  }
  if (face.cols != size || face.rows != size) {
    cv::Mat resized;
    cv::resize(face, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
    face = resized;
  }
  return face;
}

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

cv::Mat with_luminance_of(const cv::Mat& colour, const cv::Mat& source) {
  cv::Mat resized = colour;
  if (colour.size() != source.size()) cv::resize(colour, resized, source.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat source_yuv, out_yuv, out;
  cv::cvtColor(source, source_yuv, cv::COLOR_BGR2YUV);
  cv::cvtColor(resized, out_yuv, cv::COLOR_BGR2YUV);
  cv::mixChannels(source_yuv, out_yuv, {0, 0});
  cv::cvtColor(out_yuv, out, cv::COLOR_YUV2BGR);
  return out;
}

}  // namespace gpen::detail
