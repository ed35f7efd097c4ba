#include "cli_args.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

#include "gpen/error.hpp"
#include "gpen/param_table.hpp"

namespace gpen::cli {

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorCode::InvalidArgument, message);
}

// Flags whose spelling is not "--" + the parameter name with dashes (kept from earlier releases).
const std::vector<std::pair<std::string, std::string>> kFlagNames = {
    {"model_path", "--model"}, {"max_batch", "--batch-size"}, {"extensions", "--ext"}, {"output_dir", "--output"}};

std::string flag_of(const std::string& name) {
  for (const auto& [param, flag] : kFlagNames) {
    if (param == name) return flag;
  }
  std::string flag = "--" + name;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// The command line's own flags (not parameters of the library).
bool is_cli_value_flag(const std::string& f) { return f == "--preset" || f == "--json"; }

/// The parameter a flag sets, and for "--no-X" switches false instead of true.
const ParamInfo* param_of_flag(const std::string& flag, bool* negated) {
  *negated = false;
  const std::string f = flag == "-o" ? "--output" : flag;
  for (const ParamInfo& p : param_table()) {
    if (flag_of(p.name) == f) return &p;
    if (p.kind == ParamKind::Bool && "--no-" + flag_of(p.name).substr(2) == f) {
      *negated = true;
      return &p;
    }
  }
  return nullptr;
}

// Sets a parameter; the message names the flag: "--quality must be 1-100, got 0", or
// "--min-face-size: min_face_size must be in 8-4096, got 2" where flag and name differ.
void set_from_flag(CliArgs& out, const ParamInfo& p, const std::string& flag, const std::string& value) {
  // The library reads an empty model path as the classic path; on the command line it is a
  // mistake (an unset shell variable), so it is refused rather than silently not using GPEN.
  if (p.name == std::string("model_path") && value.empty()) {
    fail("--model needs a model name or file (leave --model out for the classic path)");
  }
  try {
    switch (p.group) {
      case ParamGroup::Restore: set_param(out.params, p.name, value); break;
      case ParamGroup::Restorer: set_param(out.options, p.name, value); break;
      case ParamGroup::Batch: set_param(out.batch, p.name, value); break;
      case ParamGroup::Video: set_param(out.video, p.name, value); break;
    }
  } catch (const Error& e) {
    fail(flag == "--" + p.name ? "--" + std::string(e.what()) : flag + ": " + e.what());
  }
}

// Every flag the command line takes.
std::vector<std::string> known_flags() {
  std::vector<std::string> flags = {"--help", "--version", "--quiet", "--json", "--preset", "-o"};
  for (const ParamInfo& p : param_table()) {
    flags.push_back(flag_of(p.name));
    if (p.kind == ParamKind::Bool) flags.push_back("--no-" + flag_of(p.name).substr(2));
  }
  return flags;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "unknown option --strenght; did you mean --strength? (see --help)"
std::string unknown_flag_message(const std::string& flag) {
  std::string best;
  std::size_t best_distance = 3;  // at most 2 edits away
  for (const std::string& known : known_flags()) {
    const std::size_t d = edit_distance(flag, known);
    if (d < best_distance) {
      best = known;
      best_distance = d;
    }
  }
  return "unknown option " + flag + (best.empty() ? "" : "; did you mean " + best + "?") + " (see --help)";
}

std::string placeholder(const ParamInfo& p) {
  if (p.name == "model_path") return "PATH";
  if (p.name == "output_dir") return "DIR";
  switch (p.kind) {
    case ParamKind::Int:
    case ParamKind::Float: return "N";
    case ParamKind::Choice: return "NAME";
    case ParamKind::TextList: return "LIST";
    default: return "VALUE";
  }
}

std::string range_text(const ParamInfo& p) {
  std::ostringstream s;
  if (p.kind == ParamKind::Int) s << static_cast<long>(p.min) << "-" << static_cast<long>(p.max) << ", ";
  if (p.kind == ParamKind::Float) s << p.min << "-" << p.max << ", ";
  if (p.kind == ParamKind::Choice) {
    for (std::size_t i = 0; i < p.choices.size(); ++i) s << (i ? " | " : "") << p.choices[i];
    s << ", ";
  }
  if (p.kind == ParamKind::Bool) return p.default_value == "true" ? "default on; --no-" + flag_of(p.name).substr(2) + " turns it off" : "";
  s << "default " << (p.default_value.empty() ? "none" : p.default_value);
  return s.str();
}

void append_option(std::ostringstream& out, const std::string& left, const std::string& doc) {
  out << "  " << left;
  if (left.size() < 22) {
    out << std::string(22 - left.size(), ' ');
  } else {
    out << "\n" << std::string(24, ' ');
  }
  // Word-wrapped at 100 columns, continuation lines indented under the first.
  std::size_t column = 24;
  std::istringstream words(doc);
  std::string word;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > 100) {
      out << "\n" << std::string(24, ' ');
      column = 24;
    } else if (!first) {
      out << ' ';
      ++column;
    }
    out << word;
    column += word.size();
    first = false;
  }
  out << "\n";
}

}  // namespace

std::string usage() {
  std::ostringstream out;
  out << R"(usage: gpen-restore [--model NAME|FILE] [options] -o OUTDIR IMAGE|DIR...
       gpen-restore models list | pull NAME | convert FILE.pth | path NAME

Restores the faces in photographs with a GPEN model: a name from the catalogue, fetched once
with `gpen models pull GPEN-BFR-512` (`gpen` is this program by another name), a published .pth
(converted once into the cache) or a .pt exported by `python -m gpen.export`. Without --model,
faces are enhanced by the classic (model-free) path. Each result is written as
OUTDIR/<stem>.<format>; files found in an input directory keep their relative path.
)";
  const char* titles[] = {"Restore parameters (per photo):", "Restorer options (model, device):",
                          "Batch options (files, stages):", "Video options (for the videos among the inputs):"};
  for (const ParamGroup group : {ParamGroup::Restore, ParamGroup::Restorer, ParamGroup::Batch, ParamGroup::Video}) {
    out << "\n" << titles[static_cast<int>(group)] << "\n";
    if (group == ParamGroup::Restore) {
      append_option(out, "--preset NAME", "natural | old-photo | id-photo | selfie | motion-blur | group-photo "
                                          "(explicit flags override the preset's values)");
    }
    for (const ParamInfo& p : param_table()) {
      if (p.group != group) continue;
      std::string left = flag_of(p.name);
      if (p.name == "output_dir") left = "-o, --output";
      if (p.kind != ParamKind::Bool) left += " " + placeholder(p);
      const std::string range = range_text(p);
      append_option(out, left, p.doc + (range.empty() ? "" : " (" + range + ")"));
    }
  }
  out << "\nOther:\n";
  append_option(out, "--json REPORT", "write a JSON report (parameters, faces, boxes, landmarks, timings, failures)");
  append_option(out, "-q, --quiet", "no progress output (failures are still reported)");
  append_option(out, "--version", "print the version and exit");
  append_option(out, "-h, --help", "print this help and exit");
  out << R"(
Exit status: 0 all images restored (or skipped), 1 some images failed (each is reported),
2 nothing could run (bad arguments, model cannot be loaded, no inputs),
130 interrupted (Ctrl-C/SIGTERM: files in flight are finished, none is left partial).
)";
  return out.str();
}

CliArgs parse_cli_args(const std::vector<std::string>& args) {
  CliArgs out;
  // Pass 1: split into (flag, value) pairs and inputs; find the preset.
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool negated = false;
    const ParamInfo* p = param_of_flag(arg, &negated);
    const bool takes_value = is_cli_value_flag(arg) || (p && p->kind != ParamKind::Bool);
    if (arg == "--") {
      for (++i; i < args.size(); ++i) out.inputs.push_back(args[i]);
    } else if (takes_value) {
      if (i + 1 >= args.size()) fail(arg + " needs a value");
      flags.emplace_back(arg, args[++i]);
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      flags.emplace_back(arg, "");
    } else {
      out.inputs.push_back(arg);
    }
  }
  for (const auto& [flag, value] : flags) {
    if (flag == "--preset") out.params = preset(value);
  }
  // Pass 2: everything else, overriding the preset.
  for (const auto& [flag, value] : flags) {
    bool negated = false;
    if (const ParamInfo* p = param_of_flag(flag, &negated)) {
      set_from_flag(out, *p, flag, p->kind == ParamKind::Bool ? (negated ? "false" : "true") : value);
    } else if (flag == "-h" || flag == "--help") {
      out.show_help = true;
    } else if (flag == "--version") {
      out.show_version = true;
    } else if (flag == "-q" || flag == "--quiet") {
      out.quiet = true;
    } else if (flag == "--json") {
      out.json_report = value;
    } else if (flag != "--preset") {
      fail(unknown_flag_message(flag));
    }
  }
  if (out.show_help || out.show_version) return out;
  out.params.validate();
  if (out.batch.output_dir.empty()) fail("-o OUTDIR is required");
  if (out.batch.extensions.empty()) fail("--ext needs at least one extension");
  if (out.inputs.empty()) fail("no input images given");
  return out;
}

}  // namespace gpen::cli
