#include "cli_args.hpp"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "gpen/error.hpp"
#include "core/string_list.hpp"

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

bool takes_value(const std::string& flag) {
  for (const char* f : {"--model", "-o", "--output", "--strength", "--mode", "--denoise", "--sharpen",
                        "--device", "--threads", "--batch-size", "--detector", "--upscale", "--preset",
                        "--max-faces", "--min-face-size", "--json", "--ext", "--format", "--quality",
                        "--readers", "--writers", "--precision", "--memory-limit-mb", "--photo-ops"}) {
    if (flag == f) return true;
  }
  return false;
}

}  // namespace

std::string usage() {
  return R"(usage: gpen-restore [--model M.pt] [options] -o OUTDIR IMAGE|DIR...

Restores the faces in photographs with a GPEN model exported by `python -m gpen.export`;
without --model, faces are enhanced by the classic (model-free) path. Each result is written
as OUTDIR/<stem>.<format>; files found in an input directory keep their relative path.

  --model PATH          TorchScript GPEN model (with gpen metadata); none: classic path
  --aligned             each IMAGE is one aligned face crop (no detection); the result is
                        the restored crop at the model size
  -o, --output DIR      output directory (created if missing)
  --preset NAME         natural | old-photo | id-photo | selfie | motion-blur | group-photo
                        (explicit flags override the preset's values)
  --strength N          0-100, blend of restored and original face (default 100)
  --mode NAME           natural | strong | detail (default natural)
  --denoise N           0-100, edge-preserving denoise of the result (default 0)
  --sharpen N           0-100, unsharp-mask sharpening of the result (default 0)
  --upscale N           1-4, output size factor (default 1)
  --detector SPEC       dlib | retinaface:PATH (default dlib)
  --only-center-face    restore only the face nearest the centre
  --max-faces N         restore at most N faces, largest first (default 0 = all)
  --min-face-size N     smallest face width in pixels (default 32)
  --save-faces          also write OUTDIR/faces/<stem>_<i>_aligned.png and _restored.png
  --json REPORT         write a JSON report (faces, boxes, landmarks, timings, failures)
  --recursive           walk input directories recursively
  --ext LIST            extensions taken from directories (default jpg,jpeg,png,webp,bmp,tif,tiff)
  --skip-existing       leave files whose output exists (resume an interrupted run)
  --format NAME         png | jpg | webp (default png)
  --quality N           JPEG/WebP quality 1-100 (default 95)
  --readers N           decoder threads (default 2)
  --writers N           encoder threads (default 2)
  -q, --quiet           no progress output (failures are still reported)
  --device NAME         cpu | cuda | cuda:N (default cpu)
  --precision NAME      fp32 | fp16 (CUDA) | bf16 (CUDA, or CPUs with AVX-512; ~2x faster) (default fp32)
  --threads N           CPU threads, 0 = all cores (default 0)
  --batch-size N        faces per model call, 1-256 (default 4)
  --memory-limit-mb N   CUDA: cap on the GPU memory LibTorch may hold, MiB (default 0 = none)
  --photo-ops NAME      auto | host | device: where faces are cut out and pasted back
                        (default auto = on the GPU for CUDA, OpenCV on the CPU)
  --version             print the version and exit
  -h, --help            print this help and exit

Exit status: 0 all images restored (or skipped), 1 some images failed (each is reported),
2 nothing could run (bad arguments, model cannot be loaded, no inputs),
130 interrupted (Ctrl-C/SIGTERM: files in flight are finished, none is left partial).
)";
}

CliArgs parse_cli_args(const std::vector<std::string>& args) {
  CliArgs out;
  // Pass 1: split into (flag, value) pairs and inputs; find the preset.
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      for (++i; i < args.size(); ++i) out.inputs.push_back(args[i]);
    } else if (takes_value(arg)) {
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
    if (flag == "-h" || flag == "--help") out.show_help = true;
    else if (flag == "--version") out.show_version = true;
    else if (flag == "--preset") continue;
    else if (flag == "--model") out.options.model_path = value;
    else if (flag == "--aligned") out.batch.aligned = true;
    else if (flag == "-o" || flag == "--output") out.batch.output_dir = value;
    else if (flag == "--strength") out.params.strength = parse_number(flag, value);
    else if (flag == "--mode") out.params.mode = parse_mode(value);
    else if (flag == "--denoise") out.params.denoise = parse_number(flag, value);
    else if (flag == "--sharpen") out.params.sharpen = parse_number(flag, value);
    else if (flag == "--upscale") out.params.upscale = parse_int(flag, value);
    else if (flag == "--only-center-face") out.params.only_center_face = true;
    else if (flag == "--max-faces") out.params.max_faces = parse_int(flag, value);
    else if (flag == "--min-face-size") out.params.min_face_size = parse_number(flag, value);
    else if (flag == "--detector") out.options.detector = value;
    else if (flag == "--save-faces") out.batch.save_faces = true;
    else if (flag == "--recursive") out.batch.recursive = true;
    else if (flag == "--ext") out.batch.extensions = detail::split_comma_list(value);
    else if (flag == "--skip-existing") out.batch.skip_existing = true;
    else if (flag == "--format") out.batch.format = value;
    else if (flag == "--quality") out.batch.quality = parse_int(flag, value);
    else if (flag == "--readers") out.batch.readers = parse_int(flag, value);
    else if (flag == "--writers") out.batch.writers = parse_int(flag, value);
    else if (flag == "-q" || flag == "--quiet") out.quiet = true;
    else if (flag == "--json") out.json_report = value;
    else if (flag == "--device") out.options.device = value;
    else if (flag == "--precision") out.options.precision = parse_precision(value);
    else if (flag == "--threads") out.options.threads = parse_int(flag, value);
    else if (flag == "--batch-size") out.options.max_batch = parse_int(flag, value);
    else if (flag == "--memory-limit-mb") out.options.memory_limit_mb = parse_int(flag, value);
    else if (flag == "--photo-ops") out.options.photo_ops = parse_photo_ops(value);
    else fail("unknown option " + flag + " (see --help)");
  }
  if (out.show_help || out.show_version) return out;
  out.params.validate();
  if (out.batch.output_dir.empty()) fail("-o OUTDIR is required");
  if (out.batch.format != "png" && out.batch.format != "jpg" && out.batch.format != "webp") {
    fail("--format must be png, jpg or webp, got '" + out.batch.format + "'");
  }
  if (out.batch.quality < 1 || out.batch.quality > 100) {
    fail("--quality must be 1-100, got " + std::to_string(out.batch.quality));
  }
  if (out.batch.readers < 1 || out.batch.readers > 64) fail("--readers must be 1-64");
  if (out.batch.writers < 1 || out.batch.writers > 64) fail("--writers must be 1-64");
  if (out.batch.extensions.empty()) fail("--ext needs at least one extension");
  if (out.inputs.empty()) fail("no input images given");
  return out;
}

}  // namespace gpen::cli
