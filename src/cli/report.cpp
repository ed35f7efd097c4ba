#include "report.hpp"

#include "gpen/version.hpp"
#include "json_writer.hpp"

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

std::string report_json(const CliArgs& args, const Restorer* restorer,
                        const std::vector<ImageRecord>& records, double total_seconds) {
  JsonWriter j;
  j.begin_object();
  j.key("gpen_version").value(version());
  j.key("model").begin_object();
  if (restorer) {
    const ModelInfo& m = restorer->model();
    j.key("path").value(m.path);
    j.key("architecture").value(m.architecture);
    j.key("size").value(m.size);
    j.key("random_weights").value(m.random_weights);
  }
  j.end_object();
  j.key("aligned").value(args.aligned);
  j.key("detector").value(args.aligned ? std::string("none") : args.options.detector);
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
  int failed = 0, faces = 0;
  j.key("images").begin_array();
  for (const ImageRecord& r : records) {
    failed += r.ok ? 0 : 1;
    faces += static_cast<int>(r.faces.size());
    j.begin_object();
    j.key("input").value(r.input);
    j.key("status").value(r.ok ? "ok" : "failed");
    if (r.ok) {
      j.key("output").value(r.output);
      j.key("width").value(r.width);
      j.key("height").value(r.height);
    } else {
      j.key("error").value(r.error);
    }
    j.key("seconds").value(r.seconds);
    j.key("face_count").value(static_cast<int>(r.faces.size()));
    j.key("faces").begin_array();
    for (const FaceResult& f : r.faces) write_face(j, f);
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("summary").begin_object();
  j.key("images").value(static_cast<int>(records.size()));
  j.key("failed").value(failed);
  j.key("faces").value(faces);
  j.key("seconds").value(total_seconds);
  j.end_object();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace gpen::cli
