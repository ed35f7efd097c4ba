#pragma once
// Conversions between the public image types and cv::Mat (internal).

#include <opencv2/core.hpp>
#include <string>

#include "gpen/image.hpp"

namespace gpen::detail {

/// Checks a view (non-null data, positive size, 1/3/4 channels, depth 8/16, stride large
/// enough) and throws gpen::Error(InvalidImage) naming `what` and the problem.
void validate_view(const ImageView& view, const std::string& what);

/// Zero-copy cv::Mat over the view's memory (CV_8UC<n> or CV_16UC<n>).
cv::Mat wrap(const ImageView& view);

/// Converted copy as 8-bit, 3 channels, BGR: gray replicated, 16-bit scaled by 1/257 with
/// rounding, alpha dropped, RGB swapped.
cv::Mat to_bgr8(const ImageView& view, const std::string& what);

/// Copy of an 8-bit BGR cv::Mat into an Image with the requested channel order.
Image to_image(const cv::Mat& bgr, ColorOrder order);

}  // namespace gpen::detail

namespace gpen::detail {

/// A photo taken apart for processing: 8-bit BGR colour, the alpha plane (empty if none) and
/// whether it was gray. merge_photo puts the result back in the input's form.
struct PhotoLayers {
  cv::Mat bgr;
  cv::Mat alpha;
  bool gray = false;
  /// A colour photo whose pixels are all neutral (a black-and-white scan saved as colour): the
  /// result is made neutral again, so a model's colour cast does not tint it.
  bool colourless = false;
  ColorOrder order = ColorOrder::BGR;
};

/// True when nearly every pixel of an 8-bit BGR image is neutral: fewer than 1 in 1000 pixels
/// have channels more than 6 levels apart (JPEG chroma rounding of a gray scan stays within that).
bool looks_colourless(const cv::Mat& bgr);

/// An 8-bit BGR image made neutral: each pixel its luminance, in all three channels.
cv::Mat neutral_colours(const cv::Mat& bgr);

PhotoLayers split_photo(const ImageView& view, const std::string& what);

/// Image with the layers' channel count (1 for gray, 4 with alpha, else 3) and order;
/// `alpha` is resized to `bgr`'s size if they differ; a colourless photo's colours are made
/// neutral (each pixel its luminance).
Image merge_photo(const cv::Mat& bgr, const PhotoLayers& layers);

}  // namespace gpen::detail

namespace gpen::detail {

/// A 4-channel 8-bit image's colour channels set to their luma (alpha kept): how a gray+alpha
/// file, which OpenCV decodes as BGRA, is given back gray after restoration.
void make_colours_gray(Image& image);

}  // namespace gpen::detail
