#pragma once
// Helpers shared by the C++ tests: where the test models and ../shared are, synthetic
// images, a .npy reader, and error-message checks.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "gpen/error.hpp"
#include "gpen/image.hpp"

namespace test {

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

/// Directory of the models written by tests/make_test_models.py.
inline std::string models_dir() { return env_or("GPEN_TEST_MODELS", "build/test-models"); }
inline std::string model(const std::string& name) { return models_dir() + "/" + name; }
inline std::string shared_dir() { return env_or("GPEN_SHARED", "../shared"); }

/// True if `path` exists; otherwise prints why the calling test is skipped.
inline bool available(const std::string& path) {
  if (std::filesystem::exists(path)) return true;
  MESSAGE("SKIPPED: " << path << " not found (fixtures come from ../shared, test models from the "
          "models.generate test)");
  return false;
}

inline std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("gpen-tests-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// A smooth, seeded colour test pattern (8-bit BGR).
inline cv::Mat pattern(int width, int height, int seed = 0) {
  cv::Mat m(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x * 255 / width + seed * 37) % 256),
                                        static_cast<uchar>((y * 255 / height + seed * 11) % 256),
                                        static_cast<uchar>(((x + y) * 127 / width + seed) % 256));
    }
  }
  return m;
}

/// A smooth colour test image (sums of sinusoids): no edges sharper than a photo's.
inline cv::Mat smooth_pattern(int width, int height, int seed = 0) {
  cv::Mat m(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double v = 128 + 60 * std::sin(0.05 * x * (c + 1) + seed) + 50 * std::cos(0.07 * y + c * seed);
        m.at<cv::Vec3b>(y, x)[c] = cv::saturate_cast<uchar>(v);
      }
    }
  }
  return m;
}

inline gpen::ImageView view_of(const cv::Mat& m, gpen::ColorOrder order = gpen::ColorOrder::BGR) {
  gpen::ImageView v;
  v.data = m.data;
  v.width = m.cols;
  v.height = m.rows;
  v.channels = m.channels();
  v.depth = m.depth() == CV_16U ? 16 : 8;
  v.stride = m.step[0];
  v.order = order;
  return v;
}

inline cv::Mat mat_of(const gpen::Image& image) {
  const int type = CV_MAKETYPE(CV_8U, image.channels());
  return cv::Mat(image.height(), image.width(), type, const_cast<std::uint8_t*>(image.data())).clone();
}

/// The colour planes of an image as 8-bit BGR (alpha dropped, gray replicated).
inline cv::Mat bgr_of(const gpen::Image& image) {
  const cv::Mat m = mat_of(image);
  cv::Mat out;
  if (m.channels() == 4) cv::cvtColor(m, out, image.order() == gpen::ColorOrder::RGB ? cv::COLOR_RGBA2BGR : cv::COLOR_BGRA2BGR);
  else if (m.channels() == 1) cv::cvtColor(m, out, cv::COLOR_GRAY2BGR);
  else out = m;
  return out;
}

/// Largest absolute per-pixel difference of two same-size 8-bit images.
inline double max_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.type() == b.type());
  cv::Mat d;
  cv::absdiff(a, b, d);
  double lo = 0, hi = 0;
  cv::minMaxLoc(d.reshape(1), &lo, &hi);
  return hi;
}

/// Variance of the Laplacian of the gray image: a measure of high-frequency energy.
inline double laplacian_energy(const cv::Mat& bgr) {
  cv::Mat gray, lap;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::Laplacian(gray, lap, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

/// Little-endian float32 .npy reader (C order). Fills `shape`.
inline std::vector<float> read_npy(const std::string& path, std::vector<long>& shape) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  char magic[8];
  in.read(magic, 8);
  REQUIRE(std::string(magic + 1, 5) == "NUMPY");
  std::uint32_t header_len = 0;
  if (magic[6] == 1) {
    std::uint16_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 2);
    header_len = n;
  } else {
    in.read(reinterpret_cast<char*>(&header_len), 4);
  }
  std::string header(header_len, ' ');
  in.read(&header[0], header_len);
  REQUIRE_MESSAGE(header.find("'<f4'") != std::string::npos, "not float32: " << header);
  REQUIRE(header.find("'fortran_order': False") != std::string::npos);
  const auto open = header.find('(', header.find("'shape'"));
  const auto close = header.find(')', open);
  std::string dims = header.substr(open + 1, close - open - 1);
  shape.clear();
  long count = 1;
  std::size_t pos = 0;
  while (pos < dims.size()) {
    const auto comma = dims.find(',', pos);
    const std::string item = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_of("0123456789") != std::string::npos) {
      shape.push_back(std::stol(item));
      count *= shape.back();
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::vector<float> data(static_cast<std::size_t>(count));
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(count * 4));
  REQUIRE(in.gcount() == count * 4);
  return data;
}

}  // namespace test

/// Checks that `expr` throws gpen::Error with `code` and a message containing `fragment`.
#define CHECK_GPEN_ERROR(expr, expected_code, fragment)                                          \
  do {                                                                                  \
    bool thrown_ = false;                                                               \
    try {                                                                               \
      expr;                                                                             \
    } catch (const gpen::Error& e_) {                                                   \
      thrown_ = true;                                                                   \
      CHECK_MESSAGE(e_.code() == (expected_code), "code was " << gpen::error_code_name(e_.code()) \
                                                     << ": " << e_.what());             \
      CHECK_MESSAGE(std::string(e_.what()).find(fragment) != std::string::npos,         \
                    "message: " << e_.what());                                          \
    }                                                                                   \
    CHECK_MESSAGE(thrown_, "expected gpen::Error from " #expr);                         \
  } while (0)
