#include "cli/cli_args.hpp"
#include "test_support.hpp"

using gpen::cli::parse_cli_args;

TEST_CASE("cli: a full aligned command line parses") {
  const auto a = parse_cli_args({"--model", "m.pt", "--aligned", "-o", "out", "--strength", "50",
                                 "--mode", "detail", "--denoise", "10", "--sharpen", "20",
                                 "--threads", "2", "--batch-size", "8", "a.png", "b.jpg"});
  CHECK(a.options.model_path == "m.pt");
  CHECK(a.batch.aligned);
  CHECK(a.batch.output_dir == "out");
  CHECK(a.params.strength == 50.0f);
  CHECK(a.params.mode == gpen::Mode::Detail);
  CHECK(a.params.denoise == 10.0f);
  CHECK(a.params.sharpen == 20.0f);
  CHECK(a.options.threads == 2);
  CHECK(a.options.max_batch == 8);
  REQUIRE(a.inputs.size() == 2);
  CHECK(a.inputs[1] == "b.jpg");
}

TEST_CASE("cli: bad command lines are refused with a message naming the flag") {
  using gpen::ErrorCode;
  const std::vector<std::string> base = {"--model", "m.pt", "--aligned", "-o", "out"};
  auto with = [&](std::vector<std::string> extra) {
    auto v = base;
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  CHECK_GPEN_ERROR(parse_cli_args(with({"--strength", "abc", "x.png"})), ErrorCode::InvalidArgument,
                   "--strength needs a number, got 'abc'");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--strength", "nan", "x.png"})), ErrorCode::InvalidArgument,
                   "--strength needs a number");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--strength", "150", "x.png"})), ErrorCode::InvalidArgument,
                   "strength must be in 0-100");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--mode", "loud", "x.png"})), ErrorCode::InvalidArgument,
                   "mode must be natural, strong or detail");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--frobnicate", "x.png"})), ErrorCode::InvalidArgument,
                   "unknown option --frobnicate (see --help)");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--strenght", "50", "x.png"})), ErrorCode::InvalidArgument,
                   "unknown option --strenght; did you mean --strength? (see --help)");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--no-warmpu", "x.png"})), ErrorCode::InvalidArgument,
                   "did you mean --no-warmup?");
  CHECK_GPEN_ERROR(parse_cli_args(with({"x.png", "--sharpen"})), ErrorCode::InvalidArgument,
                   "--sharpen needs a value");
  CHECK_GPEN_ERROR(parse_cli_args(with({})), ErrorCode::InvalidArgument, "no input images");
  CHECK_GPEN_ERROR(parse_cli_args({"x.png"}), ErrorCode::InvalidArgument, "-o OUTDIR is required");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--preset", "vintage", "x.png"})), ErrorCode::InvalidArgument,
                   "unknown preset 'vintage'; known presets: natural, old-photo");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--upscale", "8", "x.png"})), ErrorCode::InvalidArgument,
                   "upscale must be 1-4, got 8");
  CHECK_GPEN_ERROR(parse_cli_args(with({"--min-face-size", "2", "x.png"})), ErrorCode::InvalidArgument,
                   "min_face_size must be in 8-4096");
}

TEST_CASE("cli: whole-photo flags, and explicit flags override the preset wherever it stands") {
  const auto a = parse_cli_args({"-o", "out", "--strength", "40", "--preset", "old-photo", "--upscale",
                                 "2", "--detector", "retinaface:det.pt", "--only-center-face",
                                 "--max-faces", "3", "--save-faces", "--json", "r.json", "p.jpg"});
  CHECK(a.options.model_path.empty());
  CHECK_FALSE(a.batch.aligned);
  CHECK(a.params.mode == gpen::Mode::Strong);  // from the preset
  CHECK(a.params.denoise == 25.0f);            // from the preset
  CHECK(a.params.strength == 40.0f);           // explicit, although given before --preset
  CHECK(a.params.upscale == 2);
  CHECK(a.params.only_center_face);
  CHECK(a.params.max_faces == 3);
  CHECK(a.options.detector == "retinaface:det.pt");
  CHECK(a.batch.save_faces);
  CHECK(a.json_report == "r.json");
}

TEST_CASE("cli: batch flags") {
  const auto a = parse_cli_args({"-o", "out", "--recursive", "--ext", "jpg, PNG", "--skip-existing",
                                 "--format", "webp", "--quality", "80", "--readers", "3", "--writers",
                                 "1", "-q", "--precision", "bf16", "dir"});
  CHECK(a.options.precision == gpen::Precision::BF16);
  CHECK(a.batch.recursive);
  CHECK(a.batch.extensions == std::vector<std::string>{"jpg", "PNG"});
  CHECK(a.batch.skip_existing);
  CHECK(a.batch.format == "webp");
  CHECK(a.batch.quality == 80);
  CHECK(a.batch.readers == 3);
  CHECK(a.batch.writers == 1);
  CHECK(a.quiet);
  using gpen::ErrorCode;
  CHECK_GPEN_ERROR(parse_cli_args({"-o", "out", "--format", "gif", "x"}), ErrorCode::InvalidArgument,
                   "--format must be png, jpg or webp, got 'gif'");
  CHECK_GPEN_ERROR(parse_cli_args({"-o", "out", "--quality", "0", "x"}), ErrorCode::InvalidArgument,
                   "--quality must be 1-100, got 0");
  CHECK_GPEN_ERROR(parse_cli_args({"-o", "out", "--readers", "0", "x"}), ErrorCode::InvalidArgument,
                   "--readers must be 1-64");
  const auto gpu = parse_cli_args({"-o", "out", "--device", "cuda:1", "--memory-limit-mb", "8000",
                                   "--photo-ops", "host", "dir"});
  CHECK(gpu.options.device == "cuda:1");
  CHECK(gpu.options.memory_limit_mb == 8000);
  CHECK(gpu.options.photo_ops == gpen::PhotoOps::Host);
  CHECK_GPEN_ERROR(parse_cli_args({"-o", "out", "--photo-ops", "gpu", "x"}), ErrorCode::InvalidArgument,
                   "photo_ops must be auto, host or device, got 'gpu'");
}

TEST_CASE("cli: --help and --version need nothing else") {
  CHECK(parse_cli_args({"--help"}).show_help);
  CHECK(parse_cli_args({"--version"}).show_version);
  CHECK(gpen::cli::usage().find("--aligned") != std::string::npos);
}
