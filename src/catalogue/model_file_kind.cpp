#include "catalogue/model_file_kind.hpp"

#include <caffe2/serialize/inline_container.h>

#include <fstream>

namespace gpen::detail {

ModelFileKind model_file_kind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {0, 0, 0, 0};
  in.read(magic, 4);
  if (in.gcount() >= 1 && static_cast<unsigned char>(magic[0]) == 0x80) {
    return ModelFileKind::CheckpointPickle;  // pickle protocol 2+ starts with 0x80
  }
  if (in.gcount() < 4 || std::string(magic, 4) != std::string("PK\x03\x04", 4)) return ModelFileKind::Other;
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    if (!reader.hasRecord("constants.pkl") && reader.hasRecord("data.pkl")) return ModelFileKind::CheckpointZip;
  } catch (const std::exception&) {
    // a damaged archive: LibTorch's own load says how
  }
  return ModelFileKind::Archive;
}

}  // namespace gpen::detail
