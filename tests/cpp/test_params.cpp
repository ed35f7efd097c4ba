#include <cmath>
#include <limits>

#include "gpen/options.hpp"
#include "gpen/params.hpp"
#include "test_support.hpp"

TEST_CASE("default params are valid and give the model's own output") {
  gpen::RestoreParams p;
  CHECK(p.strength == 100.0f);
  CHECK(p.mode == gpen::Mode::Natural);
  CHECK(p.denoise == 0.0f);
  CHECK(p.sharpen == 0.0f);
  CHECK_NOTHROW(p.validate());
}

TEST_CASE("params out of range or NaN are refused with the parameter's name") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  gpen::RestoreParams p;
  p.strength = 101.0f;
  CHECK_GPEN_ERROR(p.validate(), gpen::ErrorCode::InvalidArgument, "strength must be in 0-100, got 101");
  p = {};
  p.strength = nan;
  CHECK_GPEN_ERROR(p.validate(), gpen::ErrorCode::InvalidArgument, "strength");
  p = {};
  p.denoise = -1.0f;
  CHECK_GPEN_ERROR(p.validate(), gpen::ErrorCode::InvalidArgument, "denoise must be in 0-100, got -1");
  p = {};
  p.sharpen = nan;
  CHECK_GPEN_ERROR(p.validate(), gpen::ErrorCode::InvalidArgument, "sharpen");
}

TEST_CASE("modes and precisions parse by name") {
  CHECK(gpen::parse_mode("natural") == gpen::Mode::Natural);
  CHECK(gpen::parse_mode("strong") == gpen::Mode::Strong);
  CHECK(gpen::parse_mode("detail") == gpen::Mode::Detail);
  CHECK(std::string(gpen::mode_name(gpen::Mode::Detail)) == "detail");
  CHECK_GPEN_ERROR(gpen::parse_mode("vivid"), gpen::ErrorCode::InvalidArgument, "got 'vivid'");
  CHECK(gpen::parse_precision("fp16") == gpen::Precision::FP16);
  CHECK_GPEN_ERROR(gpen::parse_precision("int8"), gpen::ErrorCode::InvalidArgument, "fp32, fp16 or bf16");
}
