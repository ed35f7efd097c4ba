#pragma once
// The library's results and parameters as JSON (nlohmann), one vocabulary for the front ends:
// gpen-restore's --json report and gpen-server's API use these, so a field is spelled once.

#include <nlohmann/json.hpp>

#include <string>

#include "gpen/batch.hpp"
#include "gpen/param_table.hpp"
#include "gpen/restorer.hpp"
#include "gpen/video.hpp"

namespace gpen::json {

using Json = nlohmann::ordered_json;

/// {"box":[x,y,w,h], "score":s, "landmarks":[[x,y]x5], "affine":[6]}
Json face_json(const FaceResult& face);

/// A parameter's text value (as get_param writes it) typed by its kind: true, 3, 0.5, "png", [..].
Json param_value_json(const ParamInfo& info, const std::string& text);

/// Every parameter of one struct, from the parameter table: {"strength": 100, ...}.
Json params_json(const RestoreParams& params);
Json params_json(const RestorerOptions& options);
Json params_json(const BatchOptions& options);
Json params_json(const VideoOptions& options);

/// The parameter table itself: [{"name", "group", "kind", "min", "max", "choices", "default", "doc"}].
Json param_table_json();

/// {"path", "architecture", "size", "random_weights", ...} of a loaded model.
Json model_json(const ModelInfo& model);

/// One file of a batch run: input, output, status, error, size, seconds, faces.
Json file_report_json(const FileReport& file);

/// The run's counts and stage times.
Json batch_summary_json(const BatchReport& report);

/// One video's results: input, output, status (restored, failed, ...), error, then the report's
/// frames, faces, tracks, streams, size, detections and timings (zeros when it failed).
Json video_report_json(const std::string& input, const std::string& output, const std::string& status,
                       const std::string& error, const VideoReport& report);

/// Serialises with invalid UTF-8 (file names) replaced rather than failing.
std::string dump(const Json& j, int indent = -1);

}  // namespace gpen::json
