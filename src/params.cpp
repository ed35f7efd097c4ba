#include "gpen/params.hpp"

#include <cmath>
#include <sstream>

#include "gpen/error.hpp"

namespace gpen {

Mode parse_mode(const std::string& name) {
  if (name == "natural") return Mode::Natural;
  if (name == "strong") return Mode::Strong;
  if (name == "detail") return Mode::Detail;
  throw Error(ErrorCode::InvalidArgument,
              "mode must be natural, strong or detail, got '" + name + "'");
}

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::Natural: return "natural";
    case Mode::Strong: return "strong";
    case Mode::Detail: return "detail";
  }
  return "unknown";
}

namespace {

void check_range(const char* name, float value, float lo, float hi) {
  if (std::isnan(value) || value < lo || value > hi) {
    std::ostringstream msg;
    msg << name << " must be in " << lo << "-" << hi << ", got " << value;
    throw Error(ErrorCode::InvalidArgument, msg.str());
  }
}

}  // namespace

void RestoreParams::validate() const {
  check_range("strength", strength, 0.0f, 100.0f);
  check_range("denoise", denoise, 0.0f, 100.0f);
  check_range("sharpen", sharpen, 0.0f, 100.0f);
  if (mode != Mode::Natural && mode != Mode::Strong && mode != Mode::Detail) {
    throw Error(ErrorCode::InvalidArgument, "mode is not one of natural, strong, detail");
  }
}

}  // namespace gpen
