#pragma once
// What a Restorer reports about its model and its device memory.

#include <cstdint>
#include <string>

#include "gpen/export.hpp"

namespace gpen {

/// What the model file says about itself (from its embedded metadata).
struct ModelInfo {
  std::string path;
  std::string architecture;  ///< "gpen", or "classic" for a Restorer without a model
  int size = 0;              ///< output side in pixels, e.g. 512 (classic: 512)
  /// Side of the aligned crops the model takes: size, except for FullGenerator_SR models
  /// (GPEN-BFR-2048 takes 1024 and returns 2048).
  int input_size = 0;
  int channel_multiplier = 0;
  double narrow = 0.0;
  /// What the model was trained for (from the export's --task): "enhance" (GPEN-BFR-*, and the
  /// classic path), "colorize", "inpaint" or "seg2face".
  std::string task = "enhance";
  std::string exporter_version;
  bool random_weights = false;  ///< true for test models: their output is noise
};

/// Device memory held by LibTorch's caching allocator on the Restorer's device. The figures are
/// the process's for that device (every Restorer and tensor on it), as LibTorch keeps them.
struct MemoryStats {
  bool device_memory = false;             ///< false on the CPU, where nothing below is tracked
  std::int64_t allocated_bytes = 0;       ///< in live tensors now
  std::int64_t reserved_bytes = 0;        ///< held from the driver (allocated + cached for reuse)
  std::int64_t peak_allocated_bytes = 0;  ///< highest allocated_bytes so far
  std::int64_t peak_reserved_bytes = 0;   ///< highest reserved_bytes so far
  std::int64_t total_bytes = 0;           ///< the device's memory
};

/// Reads a model file's metadata without loading the network (cheap: for listing a folder of
/// models). Takes what a Restorer takes (a catalogue name, a .pth, a .pt: gpen/models.hpp), never
/// downloading. Throws gpen::Error FileNotFound, InvalidModel or UnsupportedModel, as a Restorer would.
GPEN_API ModelInfo read_model_info(const std::string& path);

}  // namespace gpen
