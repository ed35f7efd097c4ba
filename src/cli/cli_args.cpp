#include "cli_args.hpp"

#include <cmath>
#include <cstdlib>

#include "gpen/error.hpp"

namespace gpen::cli {

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorCode::InvalidArgument, message);
}

float parse_number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || std::isnan(value) || std::isinf(value)) {
    fail(flag + " needs a number, got '" + text + "'");
  }
  return value;
}

int parse_int(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || value < -1000000 || value > 1000000) {
    fail(flag + " needs a whole number, got '" + text + "'");
  }
  return static_cast<int>(value);
}

}  // namespace

std::string usage() {
  return R"(usage: gpen-restore --model M.pt --aligned -o OUTDIR [options] IMAGE...

Restores face images with a GPEN model exported by `python -m gpen.export`.

  --model PATH        TorchScript model (with gpen metadata)
  --aligned           each IMAGE is one aligned face crop (FFHQ-style); the result is
                      written as OUTDIR/<stem>.png at the model size
  -o, --output DIR    output directory (created if missing)
  --strength N        0-100, blend of restored and original face (default 100)
  --mode NAME         natural | strong | detail (default natural)
  --denoise N         0-100, edge-preserving denoise of the result (default 0)
  --sharpen N         0-100, unsharp-mask sharpening of the result (default 0)
  --device NAME       cpu | cuda | cuda:N (default cpu)
  --threads N         CPU threads, 0 = all cores (default 0)
  --batch-size N      faces per model call, 1-256 (default 4)
  --version           print the version and exit
  -h, --help          print this help and exit

Exit status: 0 all images restored, 1 some images failed (each is reported),
2 nothing could run (bad arguments, model cannot be loaded).
)";
}

CliArgs parse_cli_args(const std::vector<std::string>& args) {
  CliArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) fail(arg + " needs a value");
      return args[++i];
    };
    if (arg == "-h" || arg == "--help") {
      out.show_help = true;
    } else if (arg == "--version") {
      out.show_version = true;
    } else if (arg == "--model") {
      out.options.model_path = value();
    } else if (arg == "--aligned") {
      out.aligned = true;
    } else if (arg == "-o" || arg == "--output") {
      out.output_dir = value();
    } else if (arg == "--strength") {
      out.params.strength = parse_number(arg, value());
    } else if (arg == "--mode") {
      out.params.mode = parse_mode(value());
    } else if (arg == "--denoise") {
      out.params.denoise = parse_number(arg, value());
    } else if (arg == "--sharpen") {
      out.params.sharpen = parse_number(arg, value());
    } else if (arg == "--device") {
      out.options.device = value();
    } else if (arg == "--threads") {
      out.options.threads = parse_int(arg, value());
    } else if (arg == "--batch-size") {
      out.options.max_batch = parse_int(arg, value());
    } else if (arg == "--") {
      for (++i; i < args.size(); ++i) out.inputs.push_back(args[i]);
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      fail("unknown option " + arg + " (see --help)");
    } else {
      out.inputs.push_back(arg);
    }
  }
  if (out.show_help || out.show_version) return out;
  out.params.validate();
  if (out.options.model_path.empty()) fail("--model is required");
  if (out.output_dir.empty()) fail("-o OUTDIR is required");
  if (out.inputs.empty()) fail("no input images given");
  if (!out.aligned) {
    fail("whole-photo restoration (face detection and paste-back) is not built yet; "
         "pass --aligned to restore aligned face crops");
  }
  return out;
}

}  // namespace gpen::cli
