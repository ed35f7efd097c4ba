// The parameter table (gpen/params.def) and the surfaces derived from it: every field is
// reachable by name, validated by its range, and exposed by the CLI (flag, --help) and the JSON
// report. The C ABI's marshalling is generated from the same list (a missing C field does not
// compile); the Python keywords are checked by tests/python/test_params.py.

#include <nlohmann/json.hpp>

#include "cli/cli_args.hpp"
#include "cli/report.hpp"
#include "gpen/param_table.hpp"
#include "test_support.hpp"

namespace {

// A value other than the default, as text, for each kind.
std::string other_value(const gpen::ParamInfo& p) {
  switch (p.kind) {
    case gpen::ParamKind::Bool: return p.default_value == "true" ? "false" : "true";
    case gpen::ParamKind::Int: return std::to_string(static_cast<long>(p.default_value == std::to_string(static_cast<long>(p.max)) ? p.min : p.max));
    case gpen::ParamKind::Float: return p.max >= 9.5 ? (p.default_value == "8" ? "9.5" : "8") : (p.default_value == "1" ? "0" : "1");
    case gpen::ParamKind::Choice: return p.choices.back() == p.default_value ? p.choices.front() : p.choices.back();
    case gpen::ParamKind::TextList: return "a,b";
    case gpen::ParamKind::Text: return "some-text";
  }
  return "";
}

std::string get(const gpen::cli::CliArgs& a, const gpen::ParamInfo& p) {
  switch (p.group) {
    case gpen::ParamGroup::Restore: return gpen::get_param(a.params, p.name);
    case gpen::ParamGroup::Restorer: return gpen::get_param(a.options, p.name);
    case gpen::ParamGroup::Batch: return gpen::get_param(a.batch, p.name);
    case gpen::ParamGroup::Video: return gpen::get_param(a.video, p.name);
  }
  return "";
}

std::string cli_flag(const gpen::ParamInfo& p) {
  if (p.name == "model_path") return "--model";
  if (p.name == "max_batch") return "--batch-size";
  if (p.name == "extensions") return "--ext";
  if (p.name == "output_dir") return "--output";
  std::string f = "--" + p.name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

}  // namespace

TEST_CASE("param table: every field of the four structs, each with a doc, defaults that read back") {
  const auto& table = gpen::param_table();
  CHECK(table.size() == 8 + 16 + 12 + 9);
  for (const gpen::ParamInfo& p : table) {
    CAPTURE(p.name);
    CHECK_FALSE(p.doc.empty());
    CHECK(gpen::find_param(p.name) == &p);
    if (p.kind == gpen::ParamKind::Choice) CHECK(p.choices.size() >= 2);
    if (p.kind == gpen::ParamKind::Int || p.kind == gpen::ParamKind::Float) CHECK(p.min < p.max);
    // The default, written and read back, is the default.
    gpen::RestoreParams r;
    gpen::RestorerOptions o;
    gpen::BatchOptions b;
    gpen::VideoOptions v;
    switch (p.group) {
      case gpen::ParamGroup::Restore: gpen::set_param(r, p.name, p.default_value); CHECK(gpen::get_param(r, p.name) == p.default_value); break;
      case gpen::ParamGroup::Restorer: gpen::set_param(o, p.name, p.default_value); CHECK(gpen::get_param(o, p.name) == p.default_value); break;
      case gpen::ParamGroup::Batch: gpen::set_param(b, p.name, p.default_value); CHECK(gpen::get_param(b, p.name) == p.default_value); break;
      case gpen::ParamGroup::Video: gpen::set_param(v, p.name, p.default_value); CHECK(gpen::get_param(v, p.name) == p.default_value); break;
    }
  }
  CHECK(gpen::find_param("strenght") == nullptr);
  CHECK(gpen::find_param("strength")->default_value == "100");
  CHECK(gpen::find_param("mode")->choices == std::vector<std::string>{"natural", "strong", "detail"});
}

TEST_CASE("param table: values out of range or of the wrong kind are refused with the name first") {
  for (const gpen::ParamInfo& p : gpen::param_table()) {
    if (p.group != gpen::ParamGroup::Restore) continue;
    CAPTURE(p.name);
    gpen::RestoreParams r;
    if (p.kind == gpen::ParamKind::Int || p.kind == gpen::ParamKind::Float) {
      CHECK_GPEN_ERROR(gpen::set_param(r, p.name, std::to_string(static_cast<long>(p.max) + 1)),
                       gpen::ErrorCode::InvalidArgument, p.name + " must be ");
      CHECK_GPEN_ERROR(gpen::set_param(r, p.name, "abc"), gpen::ErrorCode::InvalidArgument, p.name + " needs a");
    }
    if (p.kind == gpen::ParamKind::Choice) {
      CHECK_GPEN_ERROR(gpen::set_param(r, p.name, "nonsense"), gpen::ErrorCode::InvalidArgument, p.name + " must be ");
    }
  }
  gpen::RestoreParams r;
  CHECK_GPEN_ERROR(gpen::set_param(r, "strength", "150"), gpen::ErrorCode::InvalidArgument,
                   "strength must be in 0-100, got 150");
  CHECK_GPEN_ERROR(gpen::set_param(r, "upscale", "2.5"), gpen::ErrorCode::InvalidArgument,
                   "upscale needs a whole number, got '2.5'");
  CHECK_GPEN_ERROR(gpen::set_param(r, "device", "cpu"), gpen::ErrorCode::InvalidArgument,
                   "unknown restore parameter 'device'");
  gpen::BatchOptions b;
  gpen::set_param(b, "format", "PNG");  // text choices ignore case and are stored canonically
  CHECK(b.format == "png");
  CHECK_NOTHROW(b.validate());
  gpen::set_param(b, "format", "JPEG");  // the other spelling of jpg
  CHECK(b.format == "jpg");
  CHECK_GPEN_ERROR(gpen::set_param(b, "format", "gif"), gpen::ErrorCode::InvalidArgument,
                   "format must be png, jpg or webp, got 'gif'");
  b.quality = 0;
  CHECK_GPEN_ERROR(b.validate(), gpen::ErrorCode::InvalidArgument, "quality must be 1-100, got 0");
  gpen::RestorerOptions o;
  o.max_batch = 300;
  CHECK_GPEN_ERROR(o.validate(), gpen::ErrorCode::InvalidArgument, "max_batch must be 1-256, got 300");
}

TEST_CASE("param table: the CLI has a flag for every parameter, in --help, that sets the field") {
  const std::string help = gpen::cli::usage();
  for (const gpen::ParamInfo& p : gpen::param_table()) {
    CAPTURE(p.name);
    const std::string flag = cli_flag(p);
    CHECK(help.find(flag) != std::string::npos);
    const std::string value = other_value(p);
    std::vector<std::string> args = {"-o", "out", "x.png"};
    if (p.name == "output_dir") args = {"x.png"};
    if (p.kind == gpen::ParamKind::Bool) {
      args.push_back(value == "true" ? flag : "--no-" + flag.substr(2));
    } else {
      args.push_back(flag);
      args.push_back(value);
    }
    const gpen::cli::CliArgs a = gpen::cli::parse_cli_args(args);
    CHECK(get(a, p) == value);
  }
}

TEST_CASE("param table: the JSON report carries every parameter under its group") {
  const gpen::Restorer restorer{gpen::RestorerOptions()};  // classic path: nothing to load
  gpen::cli::CliArgs args = gpen::cli::parse_cli_args({"-o", "out", "--strength", "40", "--quality", "80", "x.png"});
  const nlohmann::json j = nlohmann::json::parse(gpen::cli::report_json(args, restorer, gpen::BatchReport(), {}, {}));
  for (const gpen::ParamInfo& p : gpen::param_table()) {
    CAPTURE(p.name);
    const char* section = p.group == gpen::ParamGroup::Restore    ? "params"
                          : p.group == gpen::ParamGroup::Restorer ? "options"
                          : p.group == gpen::ParamGroup::Batch    ? "batch"
                                                                  : "video";
    CHECK(j[section].contains(p.name));
  }
  CHECK(j["params"]["strength"].get<double>() == 40.0);
  CHECK(j["batch"]["quality"].get<int>() == 80);
  CHECK(j["params"]["mode"].get<std::string>() == "natural");
}
