#pragma once
// The metadata that `python -m gpen.export` embeds in each model file (gpen/meta.json).

#include <string>
#include <vector>

#include "gpen/model_info.hpp"

namespace gpen::detail {

/// Name of the metadata entry inside the TorchScript archive.
constexpr const char* kMetadataFile = "gpen/meta.json";
/// The metadata format this library reads.
constexpr int kFormatVersion = 1;

/// Parses and checks the metadata JSON of the model at `path`. Throws gpen::Error:
/// InvalidModel (missing or malformed) or UnsupportedModel (other format/version/architecture).
ModelInfo parse_model_metadata(const std::string& json, const std::string& path);

/// What a RetinaFace export's metadata says (architecture "retinaface").
struct RetinaFaceInfo {
  std::string backbone;  ///< "resnet50" or "mobilenet0.25"
  std::vector<std::vector<int>> min_sizes;
  std::vector<int> steps;
  std::vector<double> variance;
  std::vector<double> mean;  ///< BGR mean subtracted from the (unscaled) input
};

RetinaFaceInfo parse_retinaface_metadata(const std::string& json, const std::string& path);

/// What an RRDBNet background upsampler's metadata says (architecture "realesrnet").
struct UpsamplerInfo {
  int scale = 0;        ///< 1, 2 or 4: output side / input side
  int multiple_of = 1;  ///< input sides must be multiples of this (the pixel-unshuffle factor)
  bool random_weights = false;
};

UpsamplerInfo parse_upsampler_metadata(const std::string& json, const std::string& path);

/// What a ParseNet face parser's metadata says (architecture "parsenet").
struct ParserInfo {
  int size = 0;                     ///< input and logits side in pixels (512 published)
  std::vector<float> class_weight;  ///< per class: 1 inside the paste-back mask, 0 outside
  bool random_weights = false;
};

ParserInfo parse_parser_metadata(const std::string& json, const std::string& path);

}  // namespace gpen::detail
