#include "model/model_metadata.hpp"

#include <opencv2/core.hpp>

#include <limits>

#include "gpen/error.hpp"

namespace gpen::detail {

namespace {

cv::FileStorage open_metadata(const std::string& json, const std::string& path) {
  if (json.empty()) {
    throw Error(ErrorCode::InvalidModel,
                "model " + path + " has no " + kMetadataFile +
                    " metadata: it is a TorchScript file, but not one written by "
                    "`python -m gpen.export`; export the checkpoint with it");
  }
  cv::FileStorage fs;
  try {
    fs.open(json, cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_JSON);
  } catch (const cv::Exception&) {
    throw Error(ErrorCode::InvalidModel, "model " + path + ": metadata is not valid JSON");
  }
  return fs;
}

std::string text(const cv::FileNode& n) { return n.isString() ? static_cast<std::string>(n) : ""; }

// n[key] when n is a mapping, else an empty node (OpenCV throws for a key of anything else).
cv::FileNode child(const cv::FileNode& n, const char* key) { return n.isMap() ? n[key] : cv::FileNode(); }

// Where a model of each architecture goes, for a file given in the wrong place.
std::string role_hint(const std::string& architecture) {
  if (architecture == "gpen") return " (it is a face model: give it as the model)";
  if (architecture == "retinaface") return " (it is a face detector: give it as detector retinaface:PATH)";
  if (architecture == "realesrnet") return " (it is a background upsampler: give it as bg_upsampler)";
  if (architecture == "parsenet") return " (it is a face parser: give it as parser)";
  return "";
}

// Checks format, version and architecture.
void check_header(const cv::FileStorage& fs, const std::string& path, const std::string& architecture) {
  const std::string format = text(fs["format"]);
  if (format != "gpen-torchscript") {
    throw Error(ErrorCode::UnsupportedModel,
                "model " + path + ": metadata format is '" + format + "', expected 'gpen-torchscript'");
  }
  const cv::FileNode version = fs["format_version"];
  if (!version.isInt() || static_cast<int>(version) != kFormatVersion) {
    throw Error(ErrorCode::UnsupportedModel,
                "model " + path + ": metadata format_version is " +
                    (version.isInt() ? std::to_string(static_cast<int>(version)) : "missing") +
                    ", this library reads version " + std::to_string(kFormatVersion) +
                    "; re-export the model with this release's `python -m gpen.export`");
  }
  const std::string found = text(fs["architecture"]);
  if (found != architecture) {
    throw Error(ErrorCode::UnsupportedModel, "model " + path + ": architecture '" + found + "' is not '" +
                                                 architecture + "'" + role_hint(found));
  }
}

// The numbers of a sequence; empty if it is not one or holds anything else.
std::vector<double> numbers(const cv::FileNode& n) {
  std::vector<double> out;
  if (!n.isSeq()) return out;
  for (const cv::FileNode& item : n) {
    if (!item.isInt() && !item.isReal()) return {};
    out.push_back(static_cast<double>(item));
  }
  return out;
}

// A scalar number, or NaN (which no range check accepts).
double numbers_or_nan(const cv::FileNode& n) {
  return n.isInt() || n.isReal() ? static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

// Whole numbers in [lo, hi] as ints; false if any is not.
bool whole_numbers(const std::vector<double>& values, int lo, int hi, std::vector<int>& out) {
  for (double v : values) {
    if (!(v >= lo && v <= hi) || v != static_cast<double>(static_cast<int>(v))) return false;
    out.push_back(static_cast<int>(v));
  }
  return true;
}

}  // namespace

namespace {

bool random_weights(const cv::FileStorage& fs) {
  const cv::FileNode random = child(fs["source"], "random_weights");
  return random.isInt() && static_cast<int>(random) != 0;
}

ModelInfo gpen_metadata(const std::string& json, const std::string& path) {
  const cv::FileStorage fs = open_metadata(json, path);
  check_header(fs, path, "gpen");
  ModelInfo info;
  info.path = path;
  info.architecture = "gpen";
  const cv::FileNode size = fs["size"];
  info.size = size.isInt() ? static_cast<int>(size) : 0;
  if (info.size < 16 || info.size > 4096 || (info.size & (info.size - 1)) != 0) {
    throw Error(ErrorCode::InvalidModel, "model " + path + ": metadata size " +
                                             std::to_string(info.size) + " is not a power of two in 16-4096");
  }
  const cv::FileNode in_size = fs["in_size"];
  info.input_size = in_size.empty() ? info.size : (in_size.isInt() ? static_cast<int>(in_size) : 0);
  if (info.input_size < 16 || info.input_size > info.size || (info.input_size & (info.input_size - 1)) != 0) {
    throw Error(ErrorCode::InvalidModel, "model " + path + ": metadata in_size " + std::to_string(info.input_size) +
                                             " is not a power of two from 16 to size (" + std::to_string(info.size) + ")");
  }
  info.channel_multiplier = fs["channel_multiplier"].isInt() ? static_cast<int>(fs["channel_multiplier"]) : 0;
  info.narrow = fs["narrow"].isReal() || fs["narrow"].isInt() ? static_cast<double>(fs["narrow"]) : 0.0;
  info.exporter_version = text(fs["exporter_version"]);
  info.random_weights = random_weights(fs);
  // Exports before tasks existed are face enhancers.
  info.task = fs["task"].empty() ? "enhance" : text(fs["task"]);
  if (info.task != "enhance" && info.task != "colorize" && info.task != "inpaint" && info.task != "seg2face") {
    throw Error(ErrorCode::UnsupportedModel, "model " + path + ": task '" + info.task +
                                                 "' is not one this library runs (enhance, colorize, inpaint, seg2face)");
  }
  const std::string order = text(child(fs["input"], "color_order"));
  if (order != "RGB") {
    throw Error(ErrorCode::UnsupportedModel,
                "model " + path + ": input colour order '" + order + "' is not 'RGB'");
  }
  for (const char* key : {"mean", "std"}) {
    const cv::FileNode values = child(fs["input"], key);
    bool reference = values.isSeq() && values.size() == 3;
    for (std::size_t i = 0; reference && i < 3; ++i) {
      reference = static_cast<double>(values[static_cast<int>(i)]) == 0.5;
    }
    if (!reference) {
      throw Error(ErrorCode::UnsupportedModel, "model " + path + ": input " + key +
                                                   " is not the reference [0.5, 0.5, 0.5]");
    }
  }
  return info;
}

RetinaFaceInfo retinaface_metadata(const std::string& json, const std::string& path) {
  const cv::FileStorage fs = open_metadata(json, path);
  check_header(fs, path, "retinaface");
  RetinaFaceInfo info;
  info.backbone = text(fs["backbone"]);
  bool valid = fs["min_sizes"].isSeq();
  if (valid) {
    for (const cv::FileNode& level : fs["min_sizes"]) {
      std::vector<int> sizes;
      valid = valid && whole_numbers(numbers(level), 1, 8192, sizes) && !sizes.empty();
      info.min_sizes.push_back(sizes);
    }
  }
  valid = valid && whole_numbers(numbers(fs["steps"]), 1, 1024, info.steps);
  info.variance = numbers(fs["variance"]);
  info.mean = numbers(child(fs["input"], "mean"));
  for (double v : info.variance) valid = valid && v > 0 && v < 1e6;
  for (double v : info.mean) valid = valid && v > -1e6 && v < 1e6;
  if (!valid || info.min_sizes.empty() || info.min_sizes.size() != info.steps.size() ||
      info.variance.size() != 2 || info.mean.size() != 3) {
    throw Error(ErrorCode::InvalidModel, "model " + path +
                                             ": RetinaFace metadata lacks min_sizes/steps/variance/input.mean "
                                             "(positive whole sizes and steps, one step per level)");
  }
  return info;
}

UpsamplerInfo upsampler_metadata(const std::string& json, const std::string& path) {
  const cv::FileStorage fs = open_metadata(json, path);
  check_header(fs, path, "realesrnet");
  UpsamplerInfo info;
  std::vector<int> values;
  if (!whole_numbers({numbers_or_nan(fs["scale"]), numbers_or_nan(fs["multiple_of"])}, 1, 4, values) ||
      (values[0] != 1 && values[0] != 2 && values[0] != 4) || values[0] * values[1] != 4) {
    throw Error(ErrorCode::InvalidModel, "model " + path +
                                             ": RRDBNet metadata needs scale 1, 2 or 4 and multiple_of 4, 2 or 1 "
                                             "(scale x multiple_of = 4)");
  }
  info.scale = values[0];
  info.multiple_of = values[1];
  info.random_weights = random_weights(fs);
  return info;
}

ParserInfo parser_metadata(const std::string& json, const std::string& path) {
  const cv::FileStorage fs = open_metadata(json, path);
  check_header(fs, path, "parsenet");
  ParserInfo info;
  std::vector<int> size, colours;
  const bool valid = whole_numbers({numbers_or_nan(fs["size"])}, 16, 4096, size) &&
                     whole_numbers(numbers(fs["mask_colormap"]), 0, 255, colours) && !colours.empty() &&
                     colours.size() <= 256;
  if (!valid) {
    throw Error(ErrorCode::InvalidModel, "model " + path +
                                             ": ParseNet metadata needs size 16-4096 and mask_colormap "
                                             "(one 0-255 value per class)");
  }
  info.size = size[0];
  for (int c : colours) info.class_weight.push_back(static_cast<float>(c) / 255.0f);
  info.random_weights = random_weights(fs);
  return info;
}

// OpenCV's reader throws cv::Exception for what it cannot parse: an InvalidModel like the rest.
template <typename F>
auto parsed(const std::string& path, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::InvalidModel, "model " + path + ": malformed metadata: " + e.err);
  }
}

}  // namespace

ModelInfo parse_model_metadata(const std::string& json, const std::string& path) {
  return parsed(path, [&] { return gpen_metadata(json, path); });
}

RetinaFaceInfo parse_retinaface_metadata(const std::string& json, const std::string& path) {
  return parsed(path, [&] { return retinaface_metadata(json, path); });
}

UpsamplerInfo parse_upsampler_metadata(const std::string& json, const std::string& path) {
  return parsed(path, [&] { return upsampler_metadata(json, path); });
}

ParserInfo parse_parser_metadata(const std::string& json, const std::string& path) {
  return parsed(path, [&] { return parser_metadata(json, path); });
}

}  // namespace gpen::detail
