#pragma once
// What a model file is, from its first bytes and (for zip archives) its record names.

#include <string>

namespace gpen::detail {

enum class ModelFileKind {
  Archive,           ///< a zip that is not a plain checkpoint: TorchScript (torch.jit.save), or
                     ///< damaged (LibTorch's own load then says how)
  CheckpointZip,     ///< a zip with data.pkl and no code: torch.save's default format
  CheckpointPickle,  ///< a pickle stream: torch.save's legacy format (the published GPEN .pth files)
  Other,             ///< not a zip archive at all
};

/// The kind of an existing regular file; never throws for unreadable or damaged contents.
ModelFileKind model_file_kind(const std::string& path);

}  // namespace gpen::detail
