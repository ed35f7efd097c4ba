#include "gpen/params.hpp"


#include "gpen/error.hpp"

namespace gpen {

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
