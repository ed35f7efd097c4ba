#include "json/gpen_json.hpp"

#include <cstdlib>

namespace gpen::json {

namespace {

template <typename Struct>
Json group_json(const Struct& s, ParamGroup group) {
  Json out = Json::object();
  for (const ParamInfo& info : param_table()) {
    if (info.group == group) out[info.name] = param_value_json(info, get_param(s, info.name));
  }
  return out;
}

}  // namespace

Json face_json(const FaceResult& f) {
  const DetectedFace& d = f.detection;
  Json landmarks = Json::array();
  for (const Point& p : d.landmarks) landmarks.push_back({p.x, p.y});
  return {{"box", {d.box.x, d.box.y, d.box.width, d.box.height}},
          {"score", d.score},
          {"landmarks", landmarks},
          {"affine", f.affine}};
}

Json param_value_json(const ParamInfo& info, const std::string& text) {
  switch (info.kind) {
    case ParamKind::Bool: return text == "true";
    case ParamKind::Int: return std::atoi(text.c_str());
    case ParamKind::Float: return std::strtod(text.c_str(), nullptr);
    case ParamKind::TextList: return param_list_items(text);
    default: return text;
  }
}

Json params_json(const RestoreParams& params) { return group_json(params, ParamGroup::Restore); }
Json params_json(const RestorerOptions& options) { return group_json(options, ParamGroup::Restorer); }
Json params_json(const BatchOptions& options) { return group_json(options, ParamGroup::Batch); }
Json params_json(const VideoOptions& options) { return group_json(options, ParamGroup::Video); }

Json param_table_json() {
  Json out = Json::array();
  for (const ParamInfo& info : param_table()) {
    Json p = {{"name", info.name},
              {"group", param_group_name(info.group)},
              {"kind", param_kind_name(info.kind)},
              {"default", param_value_json(info, info.default_value)},
              {"doc", info.doc}};
    if (info.kind == ParamKind::Int || info.kind == ParamKind::Float) {
      p["min"] = info.min;
      p["max"] = info.max;
    }
    if (info.kind == ParamKind::Choice) p["choices"] = info.choices;
    out.push_back(p);
  }
  return out;
}

Json model_json(const ModelInfo& m) {
  return {{"path", m.path},
          {"architecture", m.architecture},
          {"size", m.size},
          {"channel_multiplier", m.channel_multiplier},
          {"narrow", m.narrow},
          {"exporter_version", m.exporter_version},
          {"random_weights", m.random_weights}};
}

Json file_report_json(const FileReport& f) {
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
  return image;
}

Json video_report_json(const std::string& input, const std::string& output, const std::string& status,
                       const std::string& error, const VideoReport& v) {
  Json video = {{"input", input}, {"output", output}, {"status", status}, {"error", error}};
  video.update({{"frames", v.frames}, {"faces", v.faces}, {"copied_streams", v.copied_streams},
                {"damaged", v.damaged}, {"frames_per_track", v.frames_per_track}, {"width", v.width},
                {"height", v.height}, {"detections", v.detections}, {"resumed_frames", v.resumed_frames},
                {"model_calls", v.model_calls},
                {"seconds", v.seconds},
                {"stage_seconds", {{"decode", v.decode_s}, {"compute", v.compute_s}, {"encode", v.encode_s}}},
                {"compute_busy_fraction", v.compute_busy_fraction}});
  return video;
}

Json batch_summary_json(const BatchReport& report) {
  return {{"images", report.files.size()},
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
}

std::string dump(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gpen::json
