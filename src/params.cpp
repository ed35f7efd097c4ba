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
  check_range("min_face_size", min_face_size, 8.0f, 4096.0f);
  if (max_faces < 0 || max_faces > 100000) {
    throw Error(ErrorCode::InvalidArgument,
                "max_faces must be 0 (all) to 100000, got " + std::to_string(max_faces));
  }
  if (upscale < 1 || upscale > 4) {
    throw Error(ErrorCode::InvalidArgument, "upscale must be 1-4, got " + std::to_string(upscale));
  }
}

std::vector<std::string> preset_names() {
  return {"natural", "old-photo", "id-photo", "selfie", "motion-blur", "group-photo"};
}

RestoreParams preset(const std::string& name) {
  RestoreParams p;
  if (name == "natural") return p;
  if (name == "old-photo") {  // faded, grainy scans
    p.mode = Mode::Strong;
    p.denoise = 25.0f;
    p.sharpen = 10.0f;
    p.min_face_size = 24.0f;
    return p;
  }
  if (name == "id-photo") {  // one sitter, keep likeness
    p.only_center_face = true;
    p.strength = 90.0f;
    p.sharpen = 10.0f;
    return p;
  }
  if (name == "selfie") {  // phone noise, large faces, light touch
    p.strength = 70.0f;
    p.denoise = 10.0f;
    p.min_face_size = 48.0f;
    return p;
  }
  if (name == "motion-blur") {
    p.mode = Mode::Detail;
    p.sharpen = 25.0f;
    return p;
  }
  if (name == "group-photo") {  // many small faces
    p.min_face_size = 20.0f;
    return p;
  }
  std::string known;
  for (const std::string& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error(ErrorCode::InvalidArgument, "unknown preset '" + name + "'; known presets: " + known);
}

}  // namespace gpen
