// gpen::read_model_info: a model file's metadata straight from its zip archive.

#include <caffe2/serialize/inline_container.h>


#include "gpen/error.hpp"
#include "gpen/model_info.hpp"
#include "gpen/models.hpp"
#include "model/model_metadata.hpp"
#include "model/torchscript_file.hpp"

namespace gpen {

ModelInfo read_model_info(const std::string& name_or_path) {
  const std::string path = resolve_model(name_or_path);
  detail::check_model_file(path);
  std::string json;
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    const std::string record = std::string("extra/") + detail::kMetadataFile;
    if (reader.hasRecord(record)) {
      auto [data, size] = reader.getRecord(record);
      json.assign(static_cast<const char*>(data.get()), size);
    }
  } catch (const std::exception& e) {
    throw Error(ErrorCode::InvalidModel, "cannot read model " + path +
                                             " (truncated or not a TorchScript archive): " +
                                             detail::first_line(e.what()));
  }
  return detail::parse_model_metadata(json, path);
}

}  // namespace gpen
