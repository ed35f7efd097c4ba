#include "io/image_header.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace gpen::detail {

namespace {

std::uint32_t be16(const unsigned char* p) { return (std::uint32_t(p[0]) << 8) | p[1]; }
std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint32_t le16(const unsigned char* p) { return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8); }
std::uint32_t le24(const unsigned char* p) { return le16(p) | (std::uint32_t(p[2]) << 16); }
std::uint32_t le32(const unsigned char* p) { return le24(p) | (std::uint32_t(p[3]) << 24); }

DeclaredSize known(std::int64_t w, std::int64_t h) { return {true, w, h, 0, false}; }

DeclaredSize jpeg(const unsigned char* d, std::size_t n) {
  for (JpegStep step = next_jpeg_step(d, n, 2); step.kind == JpegStep::Segment;
       step = next_jpeg_step(d, n, step.at + 2 + step.length)) {
    const unsigned char m = step.marker;
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof && step.at + 10 <= n) {
      DeclaredSize size = known(be16(d + step.at + 7), be16(d + step.at + 5));
      size.jpeg_components = d[step.at + 9];
      return size;
    }
    if (sof) return {};
  }
  return {};
}

DeclaredSize webp(const unsigned char* d, std::size_t n) {
  if (n < 30) return {};
  if (std::memcmp(d + 12, "VP8X", 4) == 0) return known(le24(d + 24) + 1, le24(d + 27) + 1);
  if (std::memcmp(d + 12, "VP8L", 4) == 0 && d[20] == 0x2F) {
    const std::uint32_t bits = le32(d + 21);
    return known((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (std::memcmp(d + 12, "VP8 ", 4) == 0) return known(le16(d + 26) & 0x3FFF, le16(d + 28) & 0x3FFF);
  return {};
}

// TIFF: the first image file directory's ImageWidth (256) and ImageLength (257) tags, in the
// file's byte order; what OpenCV decodes is that first page. BigTIFF and broken directories
// are not parsed (OpenCV's own limit still applies).
DeclaredSize tiff(const unsigned char* d, std::size_t n) {
  const bool big = d[0] == 'M';
  auto u16 = [&](std::size_t at) { return big ? be16(d + at) : le16(d + at); };
  auto u32 = [&](std::size_t at) { return big ? be32(d + at) : le32(d + at); };
  const std::size_t ifd = u32(4);
  if (ifd < 8 || ifd > n || n - ifd < 2) return {};
  const std::size_t entries = u16(ifd);
  std::int64_t width = -1, height = -1;
  for (std::size_t k = 0; k < entries; ++k) {
    const std::size_t e = ifd + 2 + 12 * k;
    if (e > n || n - e < 12) break;
    const std::uint32_t tag = u16(e), type = u16(e + 2);
    if (tag != 256 && tag != 257) continue;
    const std::int64_t value = type == 3 ? u16(e + 8) : type == 4 ? u32(e + 8) : -1;
    (tag == 256 ? width : height) = value;
  }
  if (width < 0 || height < 0) return {};
  return known(width, height);
}

// PNM (P1-P6), PAM (P7: WIDTH/HEIGHT lines) and PFM (PF/Pf): the first two numbers after the
// magic, skipping whitespace and # comments.
DeclaredSize netpbm(const unsigned char* d, std::size_t n) {
  std::size_t i = 2;
  auto skip = [&] {
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n' || d[i] == '#')) {
      if (d[i] == '#') {
        while (i < n && d[i] != '\n') ++i;
      } else {
        ++i;
      }
    }
  };
  auto number = [&]() -> std::int64_t {
    skip();
    std::int64_t v = 0;
    std::size_t digits = 0;
    for (; i < n && d[i] >= '0' && d[i] <= '9' && digits < 12; ++i, ++digits) v = v * 10 + (d[i] - '0');
    return digits ? v : -1;
  };
  if (d[1] == '7') {  // PAM: "WIDTH w" and "HEIGHT h" header lines
    std::int64_t width = -1, height = -1;
    const std::size_t end = std::min<std::size_t>(n, 4096);
    for (std::size_t k = 2; k + 6 < end; ++k) {
      if (d[k - 1] != '\n') continue;
      i = k;
      if (std::memcmp(d + k, "WIDTH", 5) == 0) i += 5, width = number();
      if (std::memcmp(d + k, "HEIGHT", 6) == 0) i += 6, height = number();
    }
    return width >= 0 && height >= 0 ? known(width, height) : DeclaredSize{};
  }
  const std::int64_t width = number();
  const std::int64_t height = number();
  return width >= 0 && height >= 0 ? known(width, height) : DeclaredSize{};
}

}  // namespace

JpegStep next_jpeg_step(const unsigned char* d, std::size_t n, std::size_t i) {
  JpegStep step;
  while (true) {
    step.at = i;
    if (i > n || n - i < 2) return step;  // EndOfData
    if (d[i] != 0xFF) {
      step.kind = JpegStep::NoMarker;
      return step;
    }
    const unsigned char marker = d[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      i += 2;
      continue;
    }
    if (marker == 0xD9) {
      step.kind = JpegStep::EndOfImage;
      return step;
    }
    if (n - i < 4) return step;  // EndOfData
    step.kind = JpegStep::Segment;
    step.marker = marker;
    step.length = be16(d + i + 2);
    return step;
  }
}

DeclaredSize declared_size(const unsigned char* d, std::size_t n) {
  static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (n >= 24 && std::memcmp(d, png_sig, 8) == 0 && std::memcmp(d + 12, "IHDR", 4) == 0) {
    DeclaredSize size = known(be32(d + 16), be32(d + 20));
    size.gray_alpha = n >= 26 && d[25] == 4;
    return size;
  }
  if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return jpeg(d, n);
  if (n >= 10 && std::memcmp(d, "GIF8", 4) == 0) return known(le16(d + 6), le16(d + 8));
  if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
    const std::int32_t w = static_cast<std::int32_t>(le32(d + 18));
    const std::int32_t h = static_cast<std::int32_t>(le32(d + 22));
    return known(std::llabs(w), std::llabs(h));
  }
  if (n >= 16 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0) return webp(d, n);
  if (n >= 8 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && d[3] == 0) ||
                 (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42))) {
    return tiff(d, n);
  }
  if (n >= 3 && d[0] == 'P' && ((d[1] >= '1' && d[1] <= '7') || d[1] == 'F' || d[1] == 'f')) return netpbm(d, n);
  return {};
}

}  // namespace gpen::detail
