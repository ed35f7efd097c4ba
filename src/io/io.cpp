#include "gpen/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

#include "gpen/error.hpp"
#include "imaging/image_convert.hpp"
#include "io/image_damage.hpp"
#include "io/image_file.hpp"
#include "io/image_header.hpp"

namespace gpen {
namespace fs = std::filesystem;

namespace {

// Reads a whole file, with the reason in words when it cannot: not found, a symlink loop, no
// permission, a directory, a FIFO or device (opened without blocking, never read), too large.
std::vector<unsigned char> read_bytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) throw Error(ErrorCode::FileNotFound, "image file not found: " + path);
    const std::string why = err == ELOOP ? "too many levels of symbolic links (a symlink loop?)"
                            : err == EACCES ? "permission denied"
                                            : std::strerror(err);
    throw Error(ErrorCode::DecodeFailed, "cannot open image file " + path + ": " + why);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw Error(ErrorCode::DecodeFailed, "cannot read image " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::DecodeFailed, "cannot read image " + path + ": it is a directory");
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorCode::DecodeFailed, "cannot read image " + path + ": not a regular file (a FIFO, socket or device)");
  }
  if (st.st_size == 0) throw Error(ErrorCode::DecodeFailed, "cannot decode " + path + ": file is empty");
  if (st.st_size > static_cast<off_t>(INT32_MAX)) {
    throw Error(ErrorCode::DecodeFailed, "refusing " + path + ": the file is larger than 2 GiB");
  }
  std::vector<unsigned char> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(ErrorCode::DecodeFailed, "cannot read image " + path + ": " + std::strerror(errno));
    if (got == 0) break;  // shrank while being read
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  if (bytes.empty()) throw Error(ErrorCode::DecodeFailed, "cannot decode " + path + ": file is empty");
  return bytes;
}

// Encodes with OpenCV by extension (".png"); `what` names the image in errors.
std::vector<unsigned char> encode_as(const ImageView& image, const std::string& ext, int quality,
                                     const std::string& what) {
  detail::validate_view(image, what);
  if (image.depth != 8) {
    throw Error(ErrorCode::InvalidImage, "cannot write " + what + ": only 8-bit images are written");
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
  std::vector<int> flags;
  if (ext == ".jpg" || ext == ".jpeg") flags = {cv::IMWRITE_JPEG_QUALITY, quality};
  if (ext == ".webp") flags = {cv::IMWRITE_WEBP_QUALITY, quality};
  std::vector<unsigned char> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(ext, bgr, bytes, flags);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::EncodeFailed, "cannot encode " + what + ": " + e.what());
  }
  if (!ok) throw Error(ErrorCode::EncodeFailed, "cannot encode " + what + " as '" + ext + "'");
  return bytes;
}

std::string megapixels(std::int64_t width, std::int64_t height) {
  char mp[64];
  std::snprintf(mp, sizeof mp, "%.1f", static_cast<double>(width) * static_cast<double>(height) / 1e6);
  return mp;
}

// Over the caller's limit: a usable file, but too large for this caller.
void check_caller_limit(std::int64_t width, std::int64_t height, std::int64_t max_pixels,
                        const std::string& name) {
  if (max_pixels <= 0 || (width > 0 && height > 0 && width <= max_pixels / height)) return;
  throw Error(ErrorCode::InvalidImage, name + " is " + std::to_string(width) + "x" + std::to_string(height) +
                                           " pixels (" + megapixels(width, height) + " megapixels); the limit is " +
                                           megapixels(max_pixels, 1) + " megapixels");
}

}  // namespace

Image decode_image(const void* data_in, std::size_t size, const std::string& name, std::int64_t max_pixels) {
  const auto* data = static_cast<const unsigned char*>(data_in);
  if (data == nullptr || size == 0) throw Error(ErrorCode::DecodeFailed, "cannot decode " + name + ": file is empty");
  const detail::DeclaredSize declared = detail::declared_size(data, size);
  if (declared.known && (declared.width <= 0 || declared.height <= 0)) {
    throw Error(ErrorCode::DecodeFailed, "cannot decode " + name + ": it declares an empty image (" +
                                             std::to_string(declared.width) + "x" + std::to_string(declared.height) +
                                             " pixels)");
  }
  // Divided, not multiplied: a header may claim 0xFFFFFFFF x 0xFFFFFFFF.
  if (declared.known && declared.width > detail::kMaxDecodePixels / declared.height) {
    check_caller_limit(declared.width, declared.height, max_pixels, name);
    throw Error(ErrorCode::DecodeFailed,
                "refusing " + name + ": it declares " + std::to_string(declared.width) + "x" +
                    std::to_string(declared.height) + " pixels (" + megapixels(declared.width, declared.height) +
                    " megapixels); the limit is 268 megapixels");
  }
  if (declared.known) check_caller_limit(declared.width, declared.height, max_pixels, name);
  if (size > static_cast<std::size_t>(INT32_MAX)) {
    throw Error(ErrorCode::DecodeFailed, "refusing " + name + ": the file is larger than 2 GiB");
  }
  const bool jpeg = detail::image_format_name(data, size) == "JPEG";
  // A JPEG whose scan has no end would decode "successfully" with the missing part grey.
  if (jpeg && detail::jpeg_structure(data, size).truncated_scan) {
    throw Error(ErrorCode::DecodeFailed,
                "cannot decode " + name + ": truncated JPEG (the image data has no end marker)");
  }
  cv::Mat decoded;
  try {
    // JPEG: IMREAD_COLOR / IMREAD_GRAYSCALE apply the EXIF orientation (a one-component JPEG
    // stays gray). Other formats are read unchanged so that alpha and 16-bit depth survive.
    const cv::Mat encoded(1, static_cast<int>(size), CV_8U, const_cast<unsigned char*>(data));
    const int jpeg_mode = declared.jpeg_components == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
    decoded = cv::imdecode(encoded, jpeg ? jpeg_mode : cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::DecodeFailed, "cannot decode " + name + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::OutOfMemory,
                "cannot decode " + name + ": out of memory" +
                    (declared.known ? " for its " + std::to_string(declared.width) + "x" +
                                          std::to_string(declared.height) + " pixels"
                                    : std::string()));
  }
  if (decoded.empty()) {
    throw Error(ErrorCode::DecodeFailed, "cannot decode " + name + ": " + detail::describe_damage(data, size));
  }
  check_caller_limit(decoded.cols, decoded.rows, max_pixels, name);
  if (decoded.depth() != CV_8U && decoded.depth() != CV_16U) {
    throw Error(ErrorCode::DecodeFailed,
                "cannot use " + name + ": only 8- and 16-bit images are supported");
  }
  cv::Mat eight;
  if (decoded.depth() == CV_16U) {
    decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else {
    eight = decoded;
  }
  if (eight.channels() != 1 && eight.channels() != 3 && eight.channels() != 4) {
    throw Error(ErrorCode::DecodeFailed,
                "cannot use " + name + ": it has " + std::to_string(eight.channels()) + " channels");
  }
  Image image(eight.cols, eight.rows, eight.channels(), ColorOrder::BGR);
  eight.copyTo(cv::Mat(eight.rows, eight.cols, eight.type(), image.data()));
  return image;
}

Image read_image(const std::string& path) { return detail::read_image_file(path).image; }

namespace detail {

DecodedImage read_image_file(const std::string& path) {
  const std::vector<unsigned char> bytes = read_bytes(path);
  DecodedImage decoded;
  decoded.image = decode_image(bytes.data(), bytes.size(), path);
  decoded.gray_alpha = is_gray_alpha_png(bytes.data(), bytes.size());
  return decoded;
}

bool is_gray_alpha_png(const unsigned char* data, std::size_t size) {
  return declared_size(data, size).gray_alpha;
}

}  // namespace detail

std::vector<unsigned char> encode_image(const ImageView& image, const std::string& format_in, int quality) {
  std::string format = format_in;
  for (char& c : format) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!format.empty() && format[0] == '.') format.erase(0, 1);
  static const char* const kFormats[] = {"png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff"};
  if (std::find(std::begin(kFormats), std::end(kFormats), format) == std::end(kFormats)) {
    throw Error(ErrorCode::InvalidArgument,
                "format must be png, jpg, jpeg, webp, bmp, tif or tiff, got '" + format_in + "'");
  }
  return encode_as(image, "." + format, quality, "the image");
}

void write_image(const std::string& path, const ImageView& image, int quality) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::vector<unsigned char> bytes = encode_as(image, ext.empty() ? ".png" : ext, quality, path);
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace gpen
