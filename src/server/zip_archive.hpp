#pragma once
// Zip files in and out of the server (libzip): an uploaded album is unpacked with every entry
// checked (no absolute or ../ paths, no links, bounded count and size); results are packed.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace gpen::server {

struct ZipLimits {
  int max_files = 1000;                        ///< image entries
  std::int64_t max_total_bytes = 1LL << 30;    ///< uncompressed, all entries together
};

/// Unpacks the image entries (by extension; other files and folders are skipped) of the zip
/// held in `data` under `dest_dir`, at the relative path `target_name(entry name)` gives (an
/// empty name skips the entry). Returns the relative paths written.
/// Throws ApiError 400 for a zip that is not one, an entry with an absolute path, "..", a
/// backslash or a control character, a link, or too many images; 413 over max_total_bytes.
/// On error nothing stays written under dest_dir.
std::vector<std::string> unpack_images(const std::string& data, const std::string& dest_dir,
                                       const ZipLimits& limits,
                                       const std::function<std::string(const std::string&)>& target_name);

/// Writes a zip at `zip_path` (atomically: libzip writes a temporary file and renames it) with
/// each (name in the archive, file on disk). Throws gpen::Error(EncodeFailed).
void pack_files(const std::string& zip_path, const std::vector<std::pair<std::string, std::string>>& entries);

/// True for the image extensions the batch engine takes by default (jpg, png, webp, ...).
bool has_image_extension(const std::string& name);

}  // namespace gpen::server
