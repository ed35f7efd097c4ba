#include "cli_args.hpp"
#include "test_support.hpp"

using gpen::cli::parse_cli_args;

TEST_CASE("cli: a full aligned command line parses") {
  const auto a = parse_cli_args({"--model", "m.pt", "--aligned", "-o", "out", "--strength", "50",
                                 "--mode", "detail", "--denoise", "10", "--sharpen", "20",
                                 "--threads", "2", "--batch-size", "8", "a.png", "b.jpg"});
  CHECK(a.options.model_path == "m.pt");
  CHECK(a.aligned);
  CHECK(a.output_dir == "out");
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
                   "unknown option --frobnicate");
  CHECK_GPEN_ERROR(parse_cli_args(with({"x.png", "--sharpen"})), ErrorCode::InvalidArgument,
                   "--sharpen needs a value");
  CHECK_GPEN_ERROR(parse_cli_args(with({})), ErrorCode::InvalidArgument, "no input images");
  CHECK_GPEN_ERROR(parse_cli_args({"--aligned", "-o", "out", "x.png"}), ErrorCode::InvalidArgument,
                   "--model is required");
  CHECK_GPEN_ERROR(parse_cli_args({"--model", "m.pt", "-o", "out", "x.png"}),
                   ErrorCode::InvalidArgument, "pass --aligned");
}

TEST_CASE("cli: --help and --version need nothing else") {
  CHECK(parse_cli_args({"--help"}).show_help);
  CHECK(parse_cli_args({"--version"}).show_version);
  CHECK(gpen::cli::usage().find("--aligned") != std::string::npos);
}
