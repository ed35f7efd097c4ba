#include "gpen/io.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "gpen/error.hpp"
#include "imaging/image_convert.hpp"
#include "io/image_header.hpp"

namespace gpen {
namespace fs = std::filesystem;

namespace {

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "image file not found: " + path);
  if (fs::is_directory(path, ec)) {
    throw Error(ErrorCode::DecodeFailed, "cannot read image " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::DecodeFailed, "cannot open image file " + path);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (bytes.empty()) throw Error(ErrorCode::DecodeFailed, "cannot decode " + path + ": file is empty");
  return bytes;
}

bool is_jpeg(const std::vector<unsigned char>& bytes) {
  return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

}  // namespace

Image read_image(const std::string& path) {
  const std::vector<unsigned char> bytes = read_bytes(path);
  const detail::DeclaredSize declared = detail::declared_size(bytes.data(), bytes.size());
  // Divided, not multiplied: a header may claim 0xFFFFFFFF x 0xFFFFFFFF.
  if (declared.known && (declared.width <= 0 || declared.height <= 0 ||
                         declared.width > detail::kMaxDecodePixels / declared.height)) {
    char mp[64];
    std::snprintf(mp, sizeof mp, "%.1f", static_cast<double>(declared.width) * static_cast<double>(declared.height) / 1e6);
    throw Error(ErrorCode::DecodeFailed,
                "refusing " + path + ": it declares " + std::to_string(declared.width) + "x" +
                    std::to_string(declared.height) + " pixels (" + mp +
                    " megapixels); the limit is 268 megapixels");
  }
  if (is_jpeg(bytes) && !detail::jpeg_is_complete(bytes.data(), bytes.size())) {
    throw Error(ErrorCode::DecodeFailed,
                "cannot decode " + path + ": truncated JPEG (the image data has no end marker)");
  }
  cv::Mat decoded;
  try {
    // JPEG: IMREAD_COLOR applies the EXIF orientation. Other formats are read unchanged so
    // that alpha and 16-bit depth survive.
    decoded = cv::imdecode(bytes, is_jpeg(bytes) ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::DecodeFailed, "cannot decode " + path + ": " + e.what());
  }
  if (decoded.empty()) {
    throw Error(ErrorCode::DecodeFailed,
                "cannot decode " + path + ": not an image OpenCV can read, or truncated/corrupt");
  }
  if (decoded.depth() != CV_8U && decoded.depth() != CV_16U) {
    throw Error(ErrorCode::DecodeFailed,
                "cannot use " + path + ": only 8- and 16-bit images are supported");
  }
  cv::Mat eight;
  if (decoded.depth() == CV_16U) {
    decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else {
    eight = decoded;
  }
  cv::Mat out;
  switch (eight.channels()) {
    case 1:
    case 3:
    case 4: out = eight; break;
    default:
      throw Error(ErrorCode::DecodeFailed, "cannot use " + path + ": it has " +
                                               std::to_string(eight.channels()) + " channels");
  }
  Image image(out.cols, out.rows, out.channels(), ColorOrder::BGR);
  out.copyTo(cv::Mat(out.rows, out.cols, out.type(), image.data()));
  return image;
}

void write_image(const std::string& path, const ImageView& image, int quality) {
  detail::validate_view(image, path);
  if (image.depth != 8) {
    throw Error(ErrorCode::InvalidImage, "cannot write " + path + ": only 8-bit images are written");
  }
  if (quality < 1 || quality > 100) {
    throw Error(ErrorCode::InvalidArgument, "quality must be 1-100, got " + std::to_string(quality));
  }
  cv::Mat src = detail::wrap(image);
  cv::Mat bgr;
  if (image.order == ColorOrder::RGB && image.channels >= 3) {
    cv::cvtColor(src, bgr, image.channels == 4 ? cv::COLOR_RGBA2BGRA : cv::COLOR_RGB2BGR);
  } else {
    bgr = src;
  }
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<int> flags;
  if (ext == ".jpg" || ext == ".jpeg") flags = {cv::IMWRITE_JPEG_QUALITY, quality};
  if (ext == ".webp") flags = {cv::IMWRITE_WEBP_QUALITY, quality};
  std::vector<unsigned char> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(ext.empty() ? ".png" : ext, bgr, bytes, flags);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::EncodeFailed, "cannot encode " + path + ": " + e.what());
  }
  if (!ok) throw Error(ErrorCode::EncodeFailed, "cannot encode " + path + " as '" + ext + "'");
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace gpen
