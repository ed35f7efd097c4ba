#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "gpen/compare.hpp"
#include "gpen/io.hpp"
#include "imaging/image_convert.hpp"
#include "io/atomic_file.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

TEST_CASE("io: PNG round trip is lossless and keeps channel order") {
  const std::string dir = test::temp_dir("io-roundtrip");
  const cv::Mat bgr = test::pattern(37, 23, 3);
  gpen::write_image(dir + "/a.png", test::view_of(bgr));
  const gpen::Image back = gpen::read_image(dir + "/a.png");
  CHECK(back.width() == 37);
  CHECK(back.height() == 23);
  CHECK(back.channels() == 3);
  CHECK(test::max_abs_diff(test::mat_of(back), bgr) == 0.0);

  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  gpen::write_image(dir + "/b.png", test::view_of(rgb, gpen::ColorOrder::RGB));
  CHECK(test::max_abs_diff(cv::imread(dir + "/b.png"), bgr) == 0.0);
  // No temporary files are left beside the output.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.is_regular_file();
  CHECK(files == 2);
}

TEST_CASE("io: gray, 16-bit and alpha files are converted as documented") {
  const std::string dir = test::temp_dir("io-convert");
  cv::Mat gray(8, 8, CV_8UC1, cv::Scalar(77));
  cv::imwrite(dir + "/gray.png", gray);
  const gpen::Image g = gpen::read_image(dir + "/gray.png");
  CHECK(g.channels() == 1);  // gray stays gray
  CHECK(g.at(3, 3, 0) == 77);

  cv::Mat deep(8, 8, CV_16UC3, cv::Scalar(257 * 200, 1000, 65535));
  cv::imwrite(dir + "/deep.png", deep);
  const gpen::Image d = gpen::read_image(dir + "/deep.png");
  CHECK(d.channels() == 3);
  CHECK(d.at(0, 0, 0) == 200);
  CHECK(d.at(0, 0, 1) == 4);  // 1000 / 257 = 3.89 -> 4
  CHECK(d.at(0, 0, 2) == 255);

  cv::Mat alpha(8, 8, CV_8UC4, cv::Scalar(10, 20, 30, 128));
  cv::imwrite(dir + "/alpha.png", alpha);
  const gpen::Image a = gpen::read_image(dir + "/alpha.png");
  CHECK(a.channels() == 4);
  CHECK(a.at(1, 1, 3) == 128);

  // The same conversions for in-memory views (used for aligned faces).
  const cv::Mat from_alpha = gpen::detail::to_bgr8(test::view_of(alpha), "view");
  CHECK(from_alpha.channels() == 3);
  CHECK(from_alpha.at<cv::Vec3b>(0, 0) == cv::Vec3b(10, 20, 30));
  const cv::Mat from_deep = gpen::detail::to_bgr8(test::view_of(deep), "view");
  CHECK(from_deep.at<cv::Vec3b>(0, 0) == cv::Vec3b(200, 4, 255));
}

TEST_CASE("io: unreadable files give errors that name the file and the problem") {
  const std::string dir = test::temp_dir("io-bad");
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/missing.png"), gpen::ErrorCode::FileNotFound,
                   "image file not found: " + dir + "/missing.png");
  std::ofstream(dir + "/empty.jpg").close();
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/empty.jpg"), gpen::ErrorCode::DecodeFailed,
                   "empty.jpg: file is empty");
  std::ofstream(dir + "/text.jpg") << "this is a text file, not a JPEG\n";
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/text.jpg"), gpen::ErrorCode::DecodeFailed,
                   "text.jpg: not an image");
  std::vector<unsigned char> png;
  cv::imencode(".png", test::pattern(64, 64), png);
  std::ofstream(dir + "/truncated.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size() / 3));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/truncated.png"), gpen::ErrorCode::DecodeFailed,
                   "truncated.png");
  CHECK_GPEN_ERROR(gpen::read_image(dir), gpen::ErrorCode::DecodeFailed, "it is a directory");
  std::vector<unsigned char> jpg;
  cv::imencode(".jpg", test::pattern(64, 64), jpg);
  std::ofstream(dir + "/truncated.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(jpg.data()), static_cast<std::streamsize>(jpg.size() * 2 / 3));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/truncated.jpg"), gpen::ErrorCode::DecodeFailed,
                   "truncated.jpg: truncated JPEG");
  std::vector<unsigned char> corrupt = jpg;
  for (std::size_t i = 20; i < 60 && i < corrupt.size(); ++i) corrupt[i] = 0x5A;  // smash the headers
  std::ofstream(dir + "/corrupt.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(corrupt.data()), static_cast<std::streamsize>(corrupt.size()));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/corrupt.jpg"), gpen::ErrorCode::DecodeFailed, "corrupt.jpg");
}

TEST_CASE("io: a file that is not there, loops, is a FIFO or is damaged is reported for what it is") {
  const std::string dir = test::temp_dir("io-kinds");
  fs::create_symlink("loop-b", dir + "/loop-a");
  fs::create_symlink("loop-a", dir + "/loop-b");
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/loop-a"), gpen::ErrorCode::DecodeFailed, "symbolic links");
  REQUIRE(::mkfifo((dir + "/fifo.png").c_str(), 0600) == 0);
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/fifo.png"), gpen::ErrorCode::DecodeFailed, "not a regular file");
  std::vector<unsigned char> jpg;
  cv::imencode(".jpg", test::pattern(64, 64), jpg);
  // A DQT segment whose length runs past the end: not called a plain truncation.
  std::vector<unsigned char> bad_length = jpg;
  std::size_t dqt = 2;
  while (!(bad_length[dqt] == 0xFF && bad_length[dqt + 1] == 0xDB)) dqt += 2 + (bad_length[dqt + 2] << 8 | bad_length[dqt + 3]);
  bad_length[dqt + 2] = 0xFF;
  bad_length[dqt + 3] = 0xF0;
  CHECK_GPEN_ERROR(gpen::decode_image(bad_length.data(), bad_length.size(), "x.jpg"), gpen::ErrorCode::DecodeFailed,
                   "the segment at byte " + std::to_string(dqt) + " claims 65520 bytes, past the end of the file");
  // A quantisation table numbered 5 (libjpeg allows 0-3): the decoder refuses it.
  std::vector<unsigned char> bad_table = jpg;
  bad_table[dqt + 4] = 0x05;
  CHECK_GPEN_ERROR(gpen::decode_image(bad_table.data(), bad_table.size(), "x.jpg"), gpen::ErrorCode::DecodeFailed,
                   "x.jpg: corrupt JPEG: the decoder refused its tables or image data");
  std::vector<unsigned char> png;
  cv::imencode(".png", test::pattern(64, 64), png);
  CHECK_GPEN_ERROR(gpen::decode_image(png.data(), png.size() - 5, "x.png"), gpen::ErrorCode::DecodeFailed,
                   "x.png: truncated PNG: the file ends after " + std::to_string(png.size() - 5) + " bytes, before its IEND chunk");
  const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ';'};
  CHECK_GPEN_ERROR(gpen::decode_image(gif, sizeof gif, "x.gif"), gpen::ErrorCode::DecodeFailed,
                   "x.gif: a GIF file, which gpen does not read");
}

TEST_CASE("io: a gray JPEG stays gray; its EXIF orientation still applies") {
  const std::string dir = test::temp_dir("io-gray-jpeg");
  cv::Mat gray(16, 24, CV_8UC1, cv::Scalar(90));
  gray(cv::Rect(0, 0, 4, 4)).setTo(200);
  std::vector<unsigned char> jpg;
  cv::imencode(".jpg", gray, jpg, {cv::IMWRITE_JPEG_QUALITY, 100});
  const gpen::Image g = gpen::decode_image(jpg.data(), jpg.size(), "gray.jpg");
  CHECK(g.channels() == 1);
  CHECK(g.width() == 24);
  CHECK(std::abs(int(g.at(1, 1, 0)) - 200) <= 2);
}

TEST_CASE("io: write_image removes what a killed writer of the same file left, never a live writer's") {
  const std::string dir = test::temp_dir("io-sweep");
  const auto a_minute_ago = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  std::ofstream(dir + "/.x.png.tmp-Killed") << "partial";
  fs::last_write_time(dir + "/.x.png.tmp-Killed", a_minute_ago);
  std::ofstream(dir + "/.y.png.tmp-Killed") << "another file's";
  fs::last_write_time(dir + "/.y.png.tmp-Killed", a_minute_ago);
  gpen::write_image(dir + "/x.png", test::view_of(test::pattern(8, 8)));
  CHECK_FALSE(fs::exists(dir + "/.x.png.tmp-Killed"));
  CHECK(fs::exists(dir + "/.y.png.tmp-Killed"));  // swept when y.png is written
  gpen::write_image(dir + "/y.png", test::view_of(test::pattern(8, 8)));
  CHECK_FALSE(fs::exists(dir + "/.y.png.tmp-Killed"));
}

TEST_CASE("io: a locked temporary is removed unless committed, and is never swept while it lives") {
  const std::string dir = test::temp_dir("io-locked-temporary");
  std::string name;
  {
    gpen::detail::LockedTemporary temporary(dir + "/v.mp4");
    name = temporary.name();
    CHECK(fs::path(name).filename().string().rfind(".v.mp4.tmp-", 0) == 0);
    REQUIRE(fs::exists(name));
    // Another run writing the same output sweeps the folder: the live temporary stays.
    gpen::detail::LockedTemporary other(dir + "/v.mp4");
    CHECK(fs::exists(name));
    CHECK(other.name() != name);
  }
  CHECK_FALSE(fs::exists(name));
  CHECK(fs::is_empty(dir));
  {
    gpen::detail::LockedTemporary temporary(dir + "/w.bin");
    REQUIRE(::write(temporary.fd(), "abc", 3) == 3);
    temporary.commit();
    CHECK_FALSE(fs::exists(temporary.name()));
  }
  CHECK(fs::file_size(dir + "/w.bin") == 3);
  CHECK((fs::status(dir + "/w.bin").permissions() & fs::perms::others_read) != fs::perms::none);
  // A folder that takes no new file: a clear error naming the output.
  CHECK_GPEN_ERROR(gpen::detail::LockedTemporary(dir + "/no-such-folder/x.png"), gpen::ErrorCode::EncodeFailed,
                   "cannot write " + dir + "/no-such-folder/x.png: cannot create a temporary file");
}

TEST_CASE("io: JPEG EXIF orientation is applied") {
  const std::string dir = test::temp_dir("io-exif");
  const cv::Mat wide = test::pattern(40, 20);  // 40 wide, 20 high
  std::vector<unsigned char> jpg;
  cv::imencode(".jpg", wide, jpg, {cv::IMWRITE_JPEG_QUALITY, 100});
  // APP1 "Exif" segment: little-endian TIFF header, one IFD entry: Orientation (0x0112) = 6,
  // i.e. the camera was turned; the picture must be rotated 90 degrees clockwise.
  const std::vector<unsigned char> app1 = {
      0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,  // marker, length 34, "Exif\0\0"
      'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,       // TIFF header, IFD at offset 8
      0x01, 0x00,                                         // one entry
      0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,     // tag 0x0112, SHORT, count 1
      0x06, 0x00, 0x00, 0x00,                             // value 6
      0x00, 0x00, 0x00, 0x00};                            // no next IFD
  jpg.insert(jpg.begin() + 2, app1.begin(), app1.end());
  std::ofstream(dir + "/rotated.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(jpg.data()), static_cast<std::streamsize>(jpg.size()));
  const gpen::Image img = gpen::read_image(dir + "/rotated.jpg");
  CHECK(img.width() == 20);
  CHECK(img.height() == 40);
}

TEST_CASE("io: an image declaring 50000x50000 pixels is refused before decoding") {
  const std::string dir = test::temp_dir("io-huge");
  std::vector<unsigned char> png;
  cv::imencode(".png", test::pattern(8, 8), png);
  // Patch the IHDR width and height (big-endian at bytes 16-23) to 50000.
  for (int off : {16, 20}) {
    png[off] = 0;
    png[off + 1] = 0;
    png[off + 2] = 0xC3;
    png[off + 3] = 0x50;
  }
  std::ofstream(dir + "/huge.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/huge.png"), gpen::ErrorCode::DecodeFailed,
                   "huge.png: it declares 50000x50000 pixels (2500.0 megapixels)");
  // The same for a JPEG's frame header.
  std::vector<unsigned char> jpg;
  cv::imencode(".jpg", test::pattern(8, 8), jpg);
  for (std::size_t i = 2; i + 8 < jpg.size(); ++i) {
    if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0) {
      jpg[i + 5] = 0xC3, jpg[i + 6] = 0x50, jpg[i + 7] = 0xC3, jpg[i + 8] = 0x50;
      break;
    }
  }
  std::ofstream(dir + "/huge.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(jpg.data()), static_cast<std::streamsize>(jpg.size()));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/huge.jpg"), gpen::ErrorCode::DecodeFailed,
                   "huge.jpg: it declares 50000x50000 pixels");
}

TEST_CASE("io: bad views and writes are refused") {
  gpen::ImageView v;
  CHECK_GPEN_ERROR(gpen::detail::validate_view(v, "face"), gpen::ErrorCode::InvalidImage,
                   "face: image has no pixel data");
  const cv::Mat m = test::pattern(4, 4);
  v = test::view_of(m);
  v.width = 0;
  CHECK_GPEN_ERROR(gpen::detail::validate_view(v, "face"), gpen::ErrorCode::InvalidImage,
                   "image is empty (0x4)");
  v = test::view_of(m);
  v.channels = 2;
  CHECK_GPEN_ERROR(gpen::detail::validate_view(v, "face"), gpen::ErrorCode::InvalidImage,
                   "2 channels");
  v = test::view_of(m);
  v.depth = 32;
  CHECK_GPEN_ERROR(gpen::detail::validate_view(v, "face"), gpen::ErrorCode::InvalidImage,
                   "32 bits per channel");
  v = test::view_of(m);
  v.stride = 5;
  CHECK_GPEN_ERROR(gpen::detail::validate_view(v, "face"), gpen::ErrorCode::InvalidImage,
                   "row stride 5 is smaller than a row (12 bytes)");
  const std::string dir = test::temp_dir("io-write");
  CHECK_GPEN_ERROR(gpen::write_image(dir + "/x.png", test::view_of(m), 0),
                   gpen::ErrorCode::InvalidArgument, "quality must be 1-100");
  CHECK_GPEN_ERROR(gpen::write_image(dir + "/x.unknownext", test::view_of(m)),
                   gpen::ErrorCode::EncodeFailed, "x.unknownext");
  CHECK_GPEN_ERROR(gpen::write_image(dir + "/no/such/dir/x.png", test::view_of(m)),
                   gpen::ErrorCode::EncodeFailed, "cannot write");
}

TEST_CASE("io: a PNG header claiming 0xFFFFFFFF x 0xFFFFFFFF is refused without overflowing") {
  const std::string dir = test::temp_dir("io-max");
  std::vector<unsigned char> png;
  cv::imencode(".png", test::pattern(8, 8), png);
  for (int off = 16; off < 24; ++off) png[off] = 0xFF;  // IHDR width and height, big-endian
  std::ofstream(dir + "/max.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/max.png"), gpen::ErrorCode::DecodeFailed,
                   "max.png: it declares 4294967295x4294967295 pixels");
}

TEST_CASE("io: TIFF and PNM files declaring 20000x20000 are refused before decoding") {
  const std::string dir = test::temp_dir("io-huge-tiff");
  // A little-endian TIFF whose first directory says 20000 x 20000 (LONG values), no pixels.
  std::vector<unsigned char> tiff = {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0};
  for (const unsigned tag : {256u, 257u}) {
    const unsigned char entry[12] = {static_cast<unsigned char>(tag & 0xFF), static_cast<unsigned char>(tag >> 8),
                                     4, 0, 1, 0, 0, 0, 0x20, 0x4E, 0, 0};  // LONG 20000
    tiff.insert(tiff.end(), entry, entry + 12);
  }
  tiff.insert(tiff.end(), {0, 0, 0, 0});
  std::ofstream(dir + "/huge.tif", std::ios::binary)
      .write(reinterpret_cast<const char*>(tiff.data()), static_cast<std::streamsize>(tiff.size()));
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/huge.tif"), gpen::ErrorCode::DecodeFailed,
                   "huge.tif: it declares 20000x20000 pixels (400.0 megapixels)");
  std::ofstream(dir + "/huge.ppm", std::ios::binary) << "P6\n# a comment\n20000 20000\n255\n";
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/huge.ppm"), gpen::ErrorCode::DecodeFailed,
                   "huge.ppm: it declares 20000x20000 pixels");
  std::ofstream(dir + "/huge.pam", std::ios::binary)
      << "P7\nWIDTH 20000\nHEIGHT 20000\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n";
  CHECK_GPEN_ERROR(gpen::read_image(dir + "/huge.pam"), gpen::ErrorCode::DecodeFailed,
                   "huge.pam: it declares 20000x20000 pixels");
  // A normal TIFF and PPM still read (sizes parsed, not refused).
  REQUIRE(cv::imwrite(dir + "/small.tif", test::pattern(30, 20)));
  REQUIRE(cv::imwrite(dir + "/small.ppm", test::pattern(30, 20)));
  CHECK(gpen::read_image(dir + "/small.tif").width() == 30);
  CHECK(gpen::read_image(dir + "/small.ppm").height() == 20);
}

TEST_CASE("io: decode_image and encode_image work in memory, with a caller's pixel limit") {
  gpen::Image img(40, 30, 3, gpen::ColorOrder::BGR);
  for (std::size_t i = 0; i < img.size_bytes(); ++i) img.data()[i] = static_cast<std::uint8_t>(i * 7);
  const std::vector<unsigned char> png = gpen::encode_image(img.view(), "PNG");
  const gpen::Image back = gpen::decode_image(png.data(), png.size(), "memory.png");
  CHECK(back.width() == 40);
  CHECK(std::equal(back.data(), back.data() + back.size_bytes(), img.data()));
  CHECK_GPEN_ERROR(gpen::decode_image(png.data(), png.size(), "upload", 1000), gpen::ErrorCode::InvalidImage,
                   "upload is 40x30 pixels (0.0 megapixels); the limit is 0.0 megapixels");
  CHECK_GPEN_ERROR(gpen::decode_image(png.data(), 0, "upload"), gpen::ErrorCode::DecodeFailed, "upload: file is empty");
  CHECK_GPEN_ERROR(gpen::encode_image(img.view(), "gif"), gpen::ErrorCode::InvalidArgument,
                   "format must be png, jpg, jpeg, webp, bmp, tif or tiff, got 'gif'");
  CHECK(gpen::encode_image(img.view(), "jpeg", 80).size() > 100);
}

TEST_CASE("compare: side_by_side puts before left of after, at after's height and channels") {
  gpen::Image before(20, 10, 1, gpen::ColorOrder::BGR);  // gray
  std::fill(before.data(), before.data() + before.size_bytes(), 200);
  gpen::Image after(40, 20, 3, gpen::ColorOrder::RGB);
  for (std::size_t i = 0; i < after.size_bytes(); i += 3) {
    after.data()[i] = 255;  // red, in RGB order
    after.data()[i + 1] = 0;
    after.data()[i + 2] = 0;
  }
  const gpen::Image both = gpen::side_by_side(before.view(), after.view());
  CHECK(both.width() == 80);  // before scaled to 40x20
  CHECK(both.height() == 20);
  CHECK(both.channels() == 3);
  CHECK(both.order() == gpen::ColorOrder::RGB);
  const std::uint8_t* left = both.data() + (10 * 80 + 5) * 3;
  CHECK(left[0] == 200);
  CHECK(left[1] == 200);
  CHECK(left[2] == 200);
  const std::uint8_t* right = both.data() + (10 * 80 + 60) * 3;
  CHECK(right[0] == 255);
  CHECK(right[2] == 0);
  CHECK_GPEN_ERROR(gpen::side_by_side(gpen::ImageView(), after.view()), gpen::ErrorCode::InvalidImage, "before");
}
