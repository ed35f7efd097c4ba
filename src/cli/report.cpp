#include "report.hpp"

#include "gpen/version.hpp"
#include "cli/json_writer.hpp"

namespace gpen::cli {

using detail::JsonWriter;

namespace {

void write_face(JsonWriter& j, const FaceResult& f) {
  const DetectedFace& d = f.detection;
  j.begin_object();
  j.key("box").begin_array().value(d.box.x).value(d.box.y).value(d.box.width).value(d.box.height).end_array();
  j.key("score").value(static_cast<double>(d.score));
  j.key("landmarks").begin_array();
  for (const Point& p : d.landmarks) j.begin_array().value(p.x).value(p.y).end_array();
  j.end_array();
  j.key("affine").begin_array();
  for (double v : f.affine) j.value(v);
  j.end_array();
  j.end_object();
}

}  // namespace

std::string report_json(const CliArgs& args, const Restorer& restorer, const BatchReport& report) {
  JsonWriter j;
  j.begin_object();
  j.key("gpen_version").value(version());
  const ModelInfo& m = restorer.model();
  j.key("model").begin_object();
  j.key("path").value(m.path);
  j.key("architecture").value(m.architecture);
  j.key("size").value(m.size);
  j.key("random_weights").value(m.random_weights);
  j.end_object();
  j.key("aligned").value(args.batch.aligned);
  j.key("detector").value(args.batch.aligned ? std::string("none") : args.options.detector);
  const RestoreParams& p = args.params;
  j.key("params").begin_object();
  j.key("strength").value(static_cast<double>(p.strength));
  j.key("mode").value(mode_name(p.mode));
  j.key("denoise").value(static_cast<double>(p.denoise));
  j.key("sharpen").value(static_cast<double>(p.sharpen));
  j.key("upscale").value(p.upscale);
  j.key("only_center_face").value(p.only_center_face);
  j.key("max_faces").value(p.max_faces);
  j.key("min_face_size").value(static_cast<double>(p.min_face_size));
  j.end_object();
  j.key("images").begin_array();
  for (const FileReport& f : report.files) {
    j.begin_object();
    j.key("input").value(f.input);
    j.key("output").value(f.output);
    j.key("status").value(file_status_name(f.status));
    if (f.status == FileStatus::Failed) j.key("error").value(f.error);
    if (f.status == FileStatus::Restored) {
      j.key("width").value(f.width);
      j.key("height").value(f.height);
    }
    j.key("seconds").begin_object();
    j.key("read").value(f.read_s).key("compute").value(f.compute_s).key("write").value(f.write_s);
    j.end_object();
    j.key("face_count").value(static_cast<int>(f.faces.size()));
    j.key("faces").begin_array();
    for (const FaceResult& face : f.faces) write_face(j, face);
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("summary").begin_object();
  j.key("images").value(static_cast<int>(report.files.size()));
  j.key("restored").value(report.restored);
  j.key("failed").value(report.failed);
  j.key("skipped").value(report.skipped);
  j.key("cancelled").value(report.cancelled);
  j.key("faces").value(report.faces);
  j.key("model_calls").value(report.model_calls);
  j.key("wall_seconds").value(report.wall_s);
  j.key("read_busy_seconds").value(report.read_busy_s);
  j.key("compute_busy_seconds").value(report.compute_busy_s);
  j.key("write_busy_seconds").value(report.write_busy_s);
  j.key("compute_busy_fraction").value(report.compute_busy_fraction);
  j.key("interrupted").value(report.was_cancelled);
  j.end_object();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace gpen::cli
