#include "gpen/options.hpp"

#include "gpen/error.hpp"

namespace gpen {

Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::FP32;
  if (name == "fp16") return Precision::FP16;
  if (name == "bf16") return Precision::BF16;
  throw Error(ErrorCode::InvalidArgument,
              "precision must be fp32, fp16 or bf16, got '" + name + "'");
}

}  // namespace gpen

namespace gpen {

PhotoOps parse_photo_ops(const std::string& name) {
  if (name == "auto") return PhotoOps::Auto;
  if (name == "host") return PhotoOps::Host;
  if (name == "device") return PhotoOps::Device;
  throw Error(ErrorCode::InvalidArgument,
              "photo_ops must be auto, host or device, got '" + name + "'");
}

}  // namespace gpen
