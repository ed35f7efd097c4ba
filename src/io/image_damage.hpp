#pragma once
// Saying what is wrong with an image file that does not decode, in words a user can act on:
// which format it is, and for JPEG and PNG where its structure breaks (a truncation, a segment
// running past the end, a missing end marker), from the bytes alone.

#include <cstddef>
#include <string>

namespace gpen::detail {

/// "PNG", "JPEG", "WebP", "TIFF", "BMP", "GIF", "PNM" ... from the magic bytes; empty if unknown.
std::string image_format_name(const unsigned char* data, std::size_t size);

/// What a JPEG's marker walk finds: complete (segments well formed, scan followed by an
/// end-of-image marker), or the problem in words ("truncated JPEG (the image data has no end
/// marker)", "truncated or corrupt JPEG: the segment at byte 20 claims 65520 bytes, past the end
/// of the file (2931 bytes)", ...).
struct JpegStructure {
  bool complete = false;
  bool truncated_scan = false;  ///< the headers are whole but the image data has no end marker
  std::string problem;          ///< empty when complete
};
JpegStructure jpeg_structure(const unsigned char* data, std::size_t size);

/// Why a file that the decoder refused is not usable, for the error message: the structural
/// problem found (JPEG, PNG), else "truncated or corrupt FORMAT", else "not an image (a format
/// gpen reads: PNG, JPEG, WebP, TIFF, BMP, PNM/PAM)".
std::string describe_damage(const unsigned char* data, std::size_t size);

}  // namespace gpen::detail
