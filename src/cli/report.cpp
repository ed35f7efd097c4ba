#include "report.hpp"

#include "gpen/version.hpp"
#include "json/gpen_json.hpp"

namespace gpen::cli {

std::string report_json(const CliArgs& args, const Restorer& restorer, const BatchReport& report,
                        const std::vector<VideoJob>& videos, const std::vector<std::string>& library_messages) {
  using json::Json;
  const ModelInfo& m = restorer.model();
  Json j;
  j["gpen_version"] = version();
  j["model"] = {{"path", m.path}, {"architecture", m.architecture}, {"size", m.size},
                {"random_weights", m.random_weights}};
  j["aligned"] = args.batch.aligned;
  j["detector"] = args.batch.aligned ? std::string("none") : args.options.detector;
  j["params"] = json::params_json(args.params);
  j["options"] = json::params_json(args.options);
  j["batch"] = json::params_json(args.batch);
  j["video"] = json::params_json(args.video);
  Json images = Json::array();
  for (const FileReport& f : report.files) images.push_back(json::file_report_json(f));
  j["images"] = images;
  Json video_list = Json::array();
  for (const VideoJob& v : videos) {
    video_list.push_back(json::video_report_json(v.input, v.output, v.status, v.error, v.report));
  }
  j["videos"] = video_list;
  j["summary"] = json::batch_summary_json(report);
  j["library_messages"] = library_messages;
  return json::dump(j, 1) + "\n";
}

}  // namespace gpen::cli
