#include "io/image_damage.hpp"

#include <cstdint>
#include <cstring>

#include "io/image_header.hpp"

namespace gpen::detail {

namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

bool starts_with(const unsigned char* d, std::size_t n, const char* magic, std::size_t at = 0) {
  const std::size_t m = std::strlen(magic);
  return n >= at + m && std::memcmp(d + at, magic, m) == 0;
}

const unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

// PNG: chunk by chunk up to IEND; a chunk running past the end is a truncation.
std::string png_problem(const unsigned char* d, std::size_t n) {
  std::size_t i = 8;
  while (i + 8 <= n) {
    const std::uint32_t length = be32(d + i);
    const std::string type(reinterpret_cast<const char*>(d + i + 4), 4);
    if (length > 0x7FFFFFFFu) {
      return "corrupt PNG: the chunk at byte " + std::to_string(i) + " claims " + std::to_string(length) + " bytes";
    }
    if (n - i < 12 || n - i - 12 < length) {
      return "truncated PNG: the file ends inside its " + type + " chunk (byte " + std::to_string(i) + " of " +
             std::to_string(n) + ")";
    }
    if (type == "IEND") return "corrupt PNG: the decoder refused its data (a bad checksum or damaged compressed data)";
    i += 12 + length;
  }
  return "truncated PNG: the file ends after " + std::to_string(n) + " bytes, before its IEND chunk";
}

}  // namespace

std::string image_format_name(const unsigned char* d, std::size_t n) {
  if (n >= 8 && std::memcmp(d, kPngSignature, 8) == 0) return "PNG";
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "JPEG";
  if (starts_with(d, n, "RIFF") && starts_with(d, n, "WEBP", 8)) return "WebP";
  if (starts_with(d, n, "II*\0") || (n >= 4 && d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42)) return "TIFF";
  if (starts_with(d, n, "BM")) return "BMP";
  if (starts_with(d, n, "GIF8")) return "GIF";
  if (n >= 2 && d[0] == 'P' && ((d[1] >= '1' && d[1] <= '7') || d[1] == 'F' || d[1] == 'f')) return "PNM";
  if (starts_with(d, n, "\x76\x2f\x31\x01")) return "OpenEXR";
  if (starts_with(d, n, "#?RADIANCE") || starts_with(d, n, "#?RGBE")) return "Radiance HDR";
  if (n >= 12 && (starts_with(d, n, "ftypheic", 4) || starts_with(d, n, "ftypheix", 4) ||
                  starts_with(d, n, "ftypmif1", 4) || starts_with(d, n, "ftypavif", 4))) {
    return "HEIF/AVIF";
  }
  return "";
}

JpegStructure jpeg_structure(const unsigned char* d, std::size_t n) {
  // Segments up to the first start-of-scan; after it, 0xFF bytes in entropy-coded data are
  // stuffed, so 0xFF 0xD9 can only be an end-of-image marker.
  JpegStructure s;
  std::size_t i = 2;
  while (true) {
    const JpegStep step = next_jpeg_step(d, n, i);
    if (step.kind == JpegStep::EndOfData) {
      s.problem = "truncated JPEG: the file ends in its headers (after " + std::to_string(n) + " bytes)";
      return s;
    }
    if (step.kind == JpegStep::NoMarker) {
      s.problem = "corrupt JPEG: no marker where one must be (byte " + std::to_string(step.at) + ")";
      return s;
    }
    if (step.kind == JpegStep::EndOfImage) {
      s.problem = "corrupt JPEG: it ends before any image data";
      return s;
    }
    if (step.length < 2) {
      s.problem = "corrupt JPEG: the segment at byte " + std::to_string(step.at) + " has length " +
                  std::to_string(step.length);
      return s;
    }
    if (n - step.at - 2 < step.length) {
      s.problem = "truncated or corrupt JPEG: the segment at byte " + std::to_string(step.at) + " claims " +
                  std::to_string(step.length) + " bytes, past the end of the file (" + std::to_string(n) + " bytes)";
      return s;
    }
    i = step.at + 2 + step.length;
    if (step.marker == 0xDA) break;
  }
  for (std::size_t k = i; k + 1 < n; ++k) {
    if (d[k] == 0xFF && d[k + 1] == 0xD9) {
      s.complete = true;
      return s;
    }
  }
  s.truncated_scan = true;
  s.problem = "truncated JPEG (the image data has no end marker)";
  return s;
}

std::string describe_damage(const unsigned char* d, std::size_t n) {
  const std::string format = image_format_name(d, n);
  if (format == "JPEG") {
    const JpegStructure s = jpeg_structure(d, n);
    return s.complete ? "corrupt JPEG: the decoder refused its tables or image data" : s.problem;
  }
  if (format == "PNG") return png_problem(d, n);
  if (format == "GIF" || format == "OpenEXR" || format == "Radiance HDR" || format == "HEIF/AVIF") {
    return "a " + format + " file, which gpen does not read (PNG, JPEG, WebP, TIFF, BMP, PNM/PAM)";
  }
  if (!format.empty()) return "truncated or corrupt " + format + " file";
  return "not an image (gpen reads PNG, JPEG, WebP, TIFF, BMP, PNM/PAM)";
}

}  // namespace gpen::detail
