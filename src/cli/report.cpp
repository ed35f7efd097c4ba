#include "report.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "gpen/param_table.hpp"
#include "gpen/version.hpp"

namespace gpen::cli {

using Json = nlohmann::ordered_json;

namespace {

Json face_json(const FaceResult& f) {
  const DetectedFace& d = f.detection;
  Json landmarks = Json::array();
  for (const Point& p : d.landmarks) landmarks.push_back({p.x, p.y});
  return {{"box", {d.box.x, d.box.y, d.box.width, d.box.height}},
          {"score", d.score},
          {"landmarks", landmarks},
          {"affine", f.affine}};
}

// A parameter's value, typed by its kind in the parameter table.
Json param_json(const ParamInfo& info, const std::string& text) {
  switch (info.kind) {
    case ParamKind::Bool: return text == "true";
    case ParamKind::Int: return std::atoi(text.c_str());
    case ParamKind::Float: return std::strtod(text.c_str(), nullptr);
    case ParamKind::TextList: return param_list_items(text);
    default: return text;
  }
}

// Every parameter of one struct, from the table.
template <typename Struct>
Json params_json(const Struct& s, ParamGroup group) {
  Json out = Json::object();
  for (const ParamInfo& info : param_table()) {
    if (info.group == group) out[info.name] = param_json(info, get_param(s, info.name));
  }
  return out;
}

}  // namespace

std::string report_json(const CliArgs& args, const Restorer& restorer, const BatchReport& report) {
  const ModelInfo& m = restorer.model();
  Json j;
  j["gpen_version"] = version();
  j["model"] = {{"path", m.path}, {"architecture", m.architecture}, {"size", m.size},
                {"random_weights", m.random_weights}};
  j["aligned"] = args.batch.aligned;
  j["detector"] = args.batch.aligned ? std::string("none") : args.options.detector;
  j["params"] = params_json(args.params, ParamGroup::Restore);
  j["options"] = params_json(args.options, ParamGroup::Restorer);
  j["batch"] = params_json(args.batch, ParamGroup::Batch);
  Json images = Json::array();
  for (const FileReport& f : report.files) {
    Json image = {{"input", f.input}, {"output", f.output}, {"status", file_status_name(f.status)}};
    if (f.status == FileStatus::Failed) image["error"] = f.error;
    if (f.status == FileStatus::Restored) {
      image["width"] = f.width;
      image["height"] = f.height;
    }
    image["seconds"] = {{"read", f.read_s}, {"compute", f.compute_s}, {"write", f.write_s}};
    image["face_count"] = f.faces.size();
    Json faces = Json::array();
    for (const FaceResult& face : f.faces) faces.push_back(face_json(face));
    image["faces"] = faces;
    images.push_back(image);
  }
  j["images"] = images;
  j["summary"] = {{"images", report.files.size()},
                  {"restored", report.restored},
                  {"failed", report.failed},
                  {"skipped", report.skipped},
                  {"cancelled", report.cancelled},
                  {"faces", report.faces},
                  {"model_calls", report.model_calls},
                  {"wall_seconds", report.wall_s},
                  {"read_busy_seconds", report.read_busy_s},
                  {"compute_busy_seconds", report.compute_busy_s},
                  {"write_busy_seconds", report.write_busy_s},
                  {"compute_busy_fraction", report.compute_busy_fraction},
                  {"interrupted", report.was_cancelled}};
  // Invalid UTF-8 in file names is replaced rather than failing the whole report.
  return j.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace gpen::cli
