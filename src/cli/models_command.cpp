#include "models_command.hpp"

#include <cstdio>
#include <iostream>

#include "gpen/gpen.hpp"
#include "gpen/models.hpp"

namespace gpen::cli {
namespace {

constexpr const char* kUsage =
    "usage: gpen models list                 known models and what is cached\n"
    "       gpen models pull NAME...         download, verify, convert into the cache\n"
    "       gpen models convert FILE.pth     convert a published checkpoint once into the cache\n"
    "       gpen models path NAME            the cached file (exit 1 if not cached)\n"
    "Then: gpen-restore --model NAME ... (a name, a .pth or a .pt is taken wherever a model is).\n"
    "Cache: $GPEN_HOME, else $XDG_CACHE_HOME/gpen, else ~/.cache/gpen. Pull and convert run\n"
    "`python3 -m gpen.models` (PyTorch converts the checkpoint); GPEN_PYTHON picks the interpreter.\n";

int list_models() {
  std::cout << "cache: " << model_cache_dir() << "\n";
  for (const KnownModel& m : known_models()) {
    const std::string state = !m.cached_path.empty() ? m.cached_path
                              : m.supported          ? "not cached"
                                                     : "not runnable yet";
    std::printf("  %-26s %-10s %-16s %s\n", m.name.c_str(), m.kind.c_str(), state.c_str(), m.task.c_str());
  }
  return 0;
}

int cached_path_of(const std::string& name) {
  for (const KnownModel& m : known_models()) {
    if (m.name != name) continue;
    if (m.cached_path.empty()) {
      std::cerr << "gpen models: " << name << " is not cached; run `gpen models pull " << name << "`\n";
      return 1;
    }
    std::cout << m.cached_path << "\n";
    return 0;
  }
  std::cerr << "gpen models: error: unknown model '" << name << "'; `gpen models list` shows the known names\n";
  return 2;
}

}  // namespace

int run_models_command(const std::vector<std::string>& args) {
  const std::string command = args.empty() ? "" : args[0];
  const std::size_t operands = args.empty() ? 0 : args.size() - 1;
  try {
    if (command == "list" && operands == 0) return list_models();
    if (command == "pull" && operands >= 1) {
      for (std::size_t i = 1; i < args.size(); ++i) std::cout << pull_model(args[i]) << "\n";
      return 0;
    }
    if (command == "convert" && operands == 1) {
      std::cout << resolve_model(args[1]) << "\n";
      return 0;
    }
    if (command == "path" && operands == 1) return cached_path_of(args[1]);
  } catch (const std::exception& e) {
    std::cerr << "gpen models: error: " << e.what() << "\n";
    return 2;
  }
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

}  // namespace gpen::cli
