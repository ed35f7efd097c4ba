#include "imaging/image_convert.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "gpen/error.hpp"

namespace gpen::detail {

void validate_view(const ImageView& view, const std::string& what) {
  auto fail = [&](const std::string& problem) {
    throw Error(ErrorCode::InvalidImage, what + ": " + problem);
  };
  if (view.data == nullptr) fail("image has no pixel data (null pointer)");
  if (view.width <= 0 || view.height <= 0) {
    fail("image is empty (" + std::to_string(view.width) + "x" + std::to_string(view.height) +
         ")");
  }
  if (view.channels != 1 && view.channels != 3 && view.channels != 4) {
    fail("image has " + std::to_string(view.channels) + " channels; 1, 3 or 4 are accepted");
  }
  if (view.depth != 8 && view.depth != 16) {
    fail("image has " + std::to_string(view.depth) + " bits per channel; 8 or 16 are accepted");
  }
  const std::size_t packed = static_cast<std::size_t>(view.width) * view.channels * (view.depth / 8);
  if (view.stride != 0 && view.stride < packed) {
    fail("row stride " + std::to_string(view.stride) + " is smaller than a row (" +
         std::to_string(packed) + " bytes)");
  }
}

cv::Mat wrap(const ImageView& view) {
  const int type = CV_MAKETYPE(view.depth == 16 ? CV_16U : CV_8U, view.channels);
  return cv::Mat(view.height, view.width, type, const_cast<void*>(view.data), view.row_bytes());
}

cv::Mat to_bgr8(const ImageView& view, const std::string& what) {
  validate_view(view, what);
  cv::Mat src = wrap(view);
  cv::Mat eight;
  if (view.depth == 16) {
    src.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else {
    eight = src;
  }
  cv::Mat bgr;
  const bool rgb = view.order == ColorOrder::RGB;
  switch (view.channels) {
    case 1: cv::cvtColor(eight, bgr, cv::COLOR_GRAY2BGR); break;
    case 3:
      if (rgb) {
        cv::cvtColor(eight, bgr, cv::COLOR_RGB2BGR);
      } else {
        bgr = eight.clone();
      }
      break;
    default: cv::cvtColor(eight, bgr, rgb ? cv::COLOR_RGBA2BGR : cv::COLOR_BGRA2BGR); break;
  }
  return bgr;
}

Image to_image(const cv::Mat& bgr, ColorOrder order) {
  CV_Assert(bgr.type() == CV_8UC3);
  Image out(bgr.cols, bgr.rows, 3, order);
  cv::Mat dst(bgr.rows, bgr.cols, CV_8UC3, out.data());
  if (order == ColorOrder::RGB) {
    cv::cvtColor(bgr, dst, cv::COLOR_BGR2RGB);
  } else {
    bgr.copyTo(dst);
  }
  return out;
}

}  // namespace gpen::detail

namespace gpen::detail {


bool looks_colourless(const cv::Mat& bgr) {
  // One pass, stopping at the first pixel over the allowance: a colour photo is known at once
  // (this ran 9 full-image passes and allocated 6 planes: ~0.3 s on a 12 MP photo).
  const double allowed = 0.001 * static_cast<double>(bgr.total());
  std::size_t coloured = 0;
  for (int y = 0; y < bgr.rows; ++y) {
    const unsigned char* p = bgr.ptr<unsigned char>(y);
    for (int x = 0; x < bgr.cols; ++x, p += 3) {
      const int most = std::max({p[0], p[1], p[2]}), least = std::min({p[0], p[1], p[2]});
      if (most - least > 6 && static_cast<double>(++coloured) >= allowed) return false;
    }
  }
  return true;
}

cv::Mat neutral_colours(const cv::Mat& bgr) {
  cv::Mat gray, out;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(gray, out, cv::COLOR_GRAY2BGR);
  return out;
}

PhotoLayers split_photo(const ImageView& view, const std::string& what) {
  PhotoLayers layers;
  layers.bgr = to_bgr8(view, what);
  layers.gray = view.channels == 1;
  layers.colourless = !layers.gray && looks_colourless(layers.bgr);
  layers.order = view.order;
  if (view.channels == 4) {
    cv::Mat alpha;
    cv::extractChannel(wrap(view), alpha, 3);
    if (view.depth == 16) alpha.convertTo(alpha, CV_8U, 1.0 / 257.0);
    layers.alpha = alpha.clone();
  }
  return layers;
}

Image merge_photo(const cv::Mat& given, const PhotoLayers& layers) {
  if (layers.gray) {
    cv::Mat gray;
    cv::cvtColor(given, gray, cv::COLOR_BGR2GRAY);
    Image out(gray.cols, gray.rows, 1, layers.order);
    gray.copyTo(cv::Mat(gray.rows, gray.cols, CV_8UC1, out.data()));
    return out;
  }
  const cv::Mat bgr = layers.colourless ? neutral_colours(given) : given;
  if (layers.alpha.empty()) return to_image(bgr, layers.order);
  cv::Mat alpha = layers.alpha;
  if (alpha.size() != bgr.size()) cv::resize(layers.alpha, alpha, bgr.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat colour;
  if (layers.order == ColorOrder::RGB) {
    cv::cvtColor(bgr, colour, cv::COLOR_BGR2RGB);
  } else {
    colour = bgr;
  }
  cv::Mat four;
  cv::merge(std::vector<cv::Mat>{colour, alpha}, four);
  Image out(four.cols, four.rows, 4, layers.order);
  four.copyTo(cv::Mat(four.rows, four.cols, CV_8UC4, out.data()));
  return out;
}

}  // namespace gpen::detail

namespace gpen::detail {

void make_colours_gray(Image& image) {
  if (image.channels() != 4 || image.empty()) return;
  cv::Mat four(image.height(), image.width(), CV_8UC4, image.data());
  cv::Mat gray;
  cv::cvtColor(four, gray, image.order() == ColorOrder::RGB ? cv::COLOR_RGBA2GRAY : cv::COLOR_BGRA2GRAY);
  const int to_colours[] = {0, 0, 0, 1, 0, 2};
  cv::mixChannels(&gray, 1, &four, 1, to_colours, 3);
}

}  // namespace gpen::detail
