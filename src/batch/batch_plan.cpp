// plan_batch: which files a batch restores and where each result goes.

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "gpen/batch.hpp"
#include "gpen/error.hpp"

namespace gpen {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool wanted(const fs::path& file, const std::set<std::string>& extensions) {
  const std::string name = file.filename().string();
  if (name.empty() || name[0] == '.') return false;  // hidden files, our temporary files
  std::string ext = lower(file.extension().string());
  if (!ext.empty()) ext.erase(0, 1);
  return extensions.count(ext) > 0;
}

bool same_directory(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

// Files under `dir`, with their paths relative to it, sorted for a stable order. The output
// directory is never walked, so results of an earlier run are not taken as inputs.
std::vector<std::pair<fs::path, fs::path>> walk(const fs::path& dir, bool recursive,
                                                const std::set<std::string>& extensions,
                                                const fs::path& output_dir) {
  std::vector<std::pair<fs::path, fs::path>> files;
  std::error_code ec;
  auto take = [&](const fs::directory_entry& e) {
    std::error_code e2;
    if (e.is_regular_file(e2) && wanted(e.path(), extensions)) {
      files.emplace_back(e.path(), e.path().lexically_relative(dir));
    }
  };
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory() && (it->path().filename().string().rfind('.', 0) == 0 ||
                                  same_directory(it->path(), output_dir))) {
        it.disable_recursion_pending();  // hidden directories and the output directory
        continue;
      }
      take(*it);
    }
  } else {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      take(*it);
    }
  }
  if (ec) throw Error(ErrorCode::FileNotFound, "cannot read directory " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// The output folder exists as a folder, or can be made: its nearest existing ancestor is a
// folder (a regular file on the way fails here, before any photo is read).
void check_output_dir(const fs::path& out_dir) {
  std::error_code ec;
  fs::path existing = out_dir;
  while (!existing.empty() && !fs::exists(existing, ec)) {
    if (!existing.has_parent_path() || existing.parent_path() == existing) break;
    existing = existing.parent_path();
  }
  if (existing.empty() || !fs::exists(existing, ec)) return;
  if (!fs::is_directory(existing, ec)) {
    throw Error(ErrorCode::InvalidArgument,
                existing == out_dir ? "output folder " + out_dir.string() + " is a file, not a folder"
                                    : "cannot make output folder " + out_dir.string() + ": " + existing.string() +
                                          " is a file, not a folder");
  }
}

}  // namespace

void check_plan(const std::vector<PlannedFile>& plan) {
  if (plan.empty()) throw Error(ErrorCode::InvalidArgument, "no input images found");
  std::map<std::string, std::string> writer_of;
  std::set<std::string> input_files;
  for (const PlannedFile& f : plan) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(f.input, ec);
    input_files.insert(ec ? f.input : canonical.string());
  }
  for (const PlannedFile& f : plan) {
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(f.output, ec);
    const std::string key = ec ? f.output : out.string();
    auto [it, fresh] = writer_of.emplace(key, f.input);
    if (!fresh) {
      throw Error(ErrorCode::InvalidArgument,
                  "inputs " + it->second + " and " + f.input + " would both be written to " + f.output);
    }
    if (input_files.count(key)) {
      throw Error(ErrorCode::InvalidArgument,
                  "output " + f.output + " would overwrite an input; choose another output directory");
    }
  }
}

std::vector<PlannedFile> plan_batch(const std::vector<std::string>& inputs, const BatchOptions& options) {
  if (options.output_dir.empty()) throw Error(ErrorCode::InvalidArgument, "no output directory given");
  options.validate();
  const std::string format = lower(options.format);
  std::set<std::string> extensions;
  for (const std::string& e : options.extensions) extensions.insert(lower(e.rfind('.', 0) == 0 ? e.substr(1) : e));

  std::vector<PlannedFile> plan;
  const fs::path out_dir(options.output_dir);
  check_output_dir(out_dir);
  auto output_for = [&](const fs::path& relative) {
    fs::path out = out_dir / relative;
    out.replace_extension("." + format);
    return out.lexically_normal().string();
  };
  for (const std::string& input : inputs) {
    std::error_code ec;
    const fs::path p(input);
    if (fs::is_directory(p, ec)) {
      if (same_directory(p, out_dir)) {
        throw Error(ErrorCode::InvalidArgument, "input directory " + input + " is the output directory");
      }
      for (const auto& [file, relative] : walk(p, options.recursive, extensions, out_dir)) {
        plan.push_back({file.string(), output_for(relative)});
      }
    } else if (!p.empty()) {
      // Named files are always taken; a missing one fails (and is reported) at read time.
      plan.push_back({input, output_for(p.filename())});
    }
  }
  check_plan(plan);
  return plan;
}

}  // namespace gpen
