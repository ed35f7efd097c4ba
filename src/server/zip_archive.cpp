#include "server/zip_archive.hpp"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "gpen/batch.hpp"
#include "gpen/error.hpp"
#include "server/api_error.hpp"

namespace gpen::server {
namespace fs = std::filesystem;

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

ApiError bad_zip(const std::string& message) { return ApiError(400, "bad-zip", message); }

ApiError unpacks_too_large(const ZipLimits& limits) {
  return ApiError(413, "too-large",
                  "the zip's images unpack to more than " + std::to_string(limits.max_total_bytes >> 20) + " MiB");
}

// A relative path of plain components: no absolute path, "..", backslash or control character.
bool is_safe_entry_name(const std::string& name) {
  if (name.empty() || name[0] == '/') return false;
  for (char c : name) {
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  for (const auto& part : fs::path(name)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

bool is_link(zip_t* z, zip_uint64_t index) {
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(z, index, 0, &opsys, &attributes) != 0) return false;
  return opsys == ZIP_OPSYS_UNIX && S_ISLNK(attributes >> 16);
}

}  // namespace

bool has_image_extension(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  if (ext.empty()) return false;
  ext = ext.substr(1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::vector<std::string> known = BatchOptions().extensions;
  return std::find(known.begin(), known.end(), ext) != known.end();
}

std::vector<std::string> unpack_images(const std::string& data, const std::string& dest_dir,
                                       const ZipLimits& limits,
                                       const std::function<std::string(const std::string&)>& target_name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &error);
  if (source == nullptr) throw bad_zip("cannot read the zip: " + std::string(zip_error_strerror(&error)));
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_source_free(source);
    const std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw bad_zip("not a readable zip file: " + message);
  }
  zip_error_fini(&error);
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  // First every entry is checked, then anything is written.
  std::vector<std::pair<zip_uint64_t, std::string>> images;  // index, target
  std::int64_t total = 0;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
      throw bad_zip("the zip's entry " + std::to_string(i) + " cannot be read");
    }
    const std::string name = st.name;
    if (!is_safe_entry_name(name)) throw bad_zip("zip entry '" + name + "' has an unsafe path (absolute, .., or odd characters)");
    if (is_link(archive.get(), static_cast<zip_uint64_t>(i))) throw bad_zip("zip entry '" + name + "' is a link; links are not accepted");
    if (name.back() == '/' || !has_image_extension(name)) continue;
    if (static_cast<int>(images.size()) >= limits.max_files) {
      throw bad_zip("the zip holds more than " + std::to_string(limits.max_files) + " images (the server's --max-job-files)");
    }
    total += static_cast<std::int64_t>(st.size);
    if (total > limits.max_total_bytes) {
      throw unpacks_too_large(limits);
    }
    const std::string target = target_name(name);
    if (!target.empty()) images.emplace_back(static_cast<zip_uint64_t>(i), target);
  }
  if (images.empty()) throw bad_zip("the zip holds no images (jpg, png, webp, bmp, tif)");
  std::vector<std::string> written;
  std::vector<std::string> relative;
  try {
    std::vector<char> buffer(1 << 16);
    std::int64_t unpacked = 0;
    for (const auto& [index, relative_target] : images) {
      const std::string name = zip_get_name(archive.get(), index, 0);
      const fs::path target = fs::path(dest_dir) / relative_target;
      fs::create_directories(target.parent_path());
      std::unique_ptr<zip_file_t, ZipFileCloser> in(zip_fopen_index(archive.get(), index, 0));
      if (!in) throw bad_zip("zip entry '" + name + "' cannot be opened: " + zip_strerror(archive.get()));
      std::ofstream out(target, std::ios::binary);
      written.push_back(target.string());
      zip_int64_t n = 0;
      // Sizes in the directory can lie: the bytes actually produced are counted too.
      while ((n = zip_fread(in.get(), buffer.data(), buffer.size())) > 0) {
        unpacked += n;
        if (unpacked > limits.max_total_bytes) {
          throw unpacks_too_large(limits);
        }
        out.write(buffer.data(), n);
      }
      if (n < 0) throw bad_zip("zip entry '" + name + "' is corrupt: " + zip_file_strerror(in.get()));
      if (!out) throw Error(ErrorCode::EncodeFailed, "cannot write " + target.string());
      relative.push_back(relative_target);
    }
  } catch (...) {
    std::error_code ec;
    for (const std::string& p : written) fs::remove(p, ec);
    throw;
  }
  return relative;
}

void pack_files(const std::string& zip_path, const std::vector<std::pair<std::string, std::string>>& entries) {
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(zip_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!archive) throw Error(ErrorCode::EncodeFailed, "cannot create " + zip_path);
  for (const auto& [name, path] : entries) {
    zip_source_t* source = zip_source_file(archive.get(), path.c_str(), 0, -1);  // length -1: to the end
    if (source == nullptr) throw Error(ErrorCode::EncodeFailed, "cannot add " + path + " to " + zip_path);
    const zip_int64_t index = zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      throw Error(ErrorCode::EncodeFailed, "cannot add " + name + " to " + zip_path + ": " + zip_strerror(archive.get()));
    }
    // Images are compressed already; report.json is small.
    zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(archive.get()) != 0) {
    throw Error(ErrorCode::EncodeFailed, "cannot write " + zip_path + ": " + zip_strerror(archive.get()));
  }
  archive.release();  // zip_close freed it
}

}  // namespace gpen::server
