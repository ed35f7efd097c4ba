#include <algorithm>
#include "gpen/param_table.hpp"

#include <cerrno>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/string_list.hpp"
#include "gpen/error.hpp"

namespace gpen {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

std::vector<std::string> split_choices(const char* choices) {
  std::vector<std::string> out;
  std::string item;
  for (const char* c = choices; *c; ++c) {
    if (*c == '|') {
      out.push_back(item);
      item.clear();
    } else {
      item += *c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

/// "a, b or c"
std::string either(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return out;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// ---- value -> text

std::string to_text_BOOL(bool v, const char*) { return v ? "true" : "false"; }
std::string to_text_INT(int v, const char*) { return std::to_string(v); }
std::string to_text_FLOAT(float v, const char*) {
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, r.ptr);
}
std::string to_text_TEXT(const std::string& v, const char*) { return v; }
std::string to_text_TEXT_LIST(const std::vector<std::string>& v, const char*) { return param_list_text(v); }
std::string to_text_CHOICE(const std::string& v, const char*) { return v; }
template <typename Enum>
std::string to_text_CHOICE(Enum v, const char* choices) {
  const std::vector<std::string> names = split_choices(choices);
  const auto i = static_cast<std::size_t>(v);
  return i < names.size() ? names[i] : "unknown";
}

// ---- checks of a typed value (validate())

void check_BOOL(const char*, bool, double, double, const char*) {}
void check_TEXT(const char*, const std::string&, double, double, const char*) {}
void check_TEXT_LIST(const char*, const std::vector<std::string>&, double, double, const char*) {}
void check_INT(const char* name, int v, double lo, double hi, const char*) {
  if (v < lo || v > hi) {
    invalid(std::string(name) + " must be " + std::to_string(static_cast<long>(lo)) + "-" +
            std::to_string(static_cast<long>(hi)) + ", got " + std::to_string(v));
  }
}
void check_FLOAT(const char* name, double v, double lo, double hi, const char*) {
  if (std::isnan(v) || v < lo || v > hi) {
    invalid(std::string(name) + " must be in " + number_text(lo) + "-" + number_text(hi) + ", got " + number_text(v));
  }
}
bool same_letters(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Text choices (file formats) ignore case: "PNG" is png. Enum choices do not.
void check_CHOICE(const char* name, const std::string& v, double, double, const char* choices) {
  const std::vector<std::string> names = split_choices(choices);
  for (const std::string& n : names) {
    if (same_letters(n, v)) return;
  }
  invalid(std::string(name) + " must be " + either(names) + ", got '" + v + "'");
}
template <typename Enum>
void check_CHOICE(const char* name, Enum v, double, double, const char* choices) {
  const std::vector<std::string> names = split_choices(choices);
  const auto i = static_cast<long>(v);
  if (i < 0 || i >= static_cast<long>(names.size())) {
    invalid(std::string(name) + " must be " + either(names) + ", got " + std::to_string(i));
  }
}

// ---- text -> value, checked

void from_text_BOOL(const char* name, const std::string& t, bool& out, double, double, const char*) {
  if (t == "true" || t == "1" || t == "yes" || t == "on") {
    out = true;
  } else if (t == "false" || t == "0" || t == "no" || t == "off") {
    out = false;
  } else {
    invalid(std::string(name) + " must be true or false, got '" + t + "'");
  }
}
void from_text_INT(const char* name, const std::string& t, int& out, double lo, double hi, const char* c) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(t.c_str(), &end, 10);
  if (t.empty() || end != t.c_str() + t.size()) invalid(std::string(name) + " needs a whole number, got '" + t + "'");
  if (errno == ERANGE || v < -1000000000L || v > 1000000000L) {  // a whole number, far out of any range
    invalid(std::string(name) + " must be " + std::to_string(static_cast<long>(lo)) + "-" +
            std::to_string(static_cast<long>(hi)) + ", got " + t);
  }
  check_INT(name, static_cast<int>(v), lo, hi, c);
  out = static_cast<int>(v);
}
void from_text_FLOAT(const char* name, const std::string& t, float& out, double lo, double hi, const char* c) {
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || std::isnan(v) || std::isinf(v)) {
    invalid(std::string(name) + " needs a number, got '" + t + "'");
  }
  check_FLOAT(name, v, lo, hi, c);  // on the double: 1e39 must not be cast to float first
  out = static_cast<float>(v);
}
void from_text_TEXT(const char*, const std::string& t, std::string& out, double, double, const char*) { out = t; }
void from_text_TEXT_LIST(const char*, const std::string& t, std::vector<std::string>& out, double, double,
                         const char*) {
  out = param_list_items(t);
}
// Text choices are stored as their canonical name ("PNG" -> png); "jpeg" is jpg, as the file
// extension is commonly written both ways.
void from_text_CHOICE(const char* name, const std::string& t, std::string& out, double lo, double hi,
                      const char* choices) {
  const std::vector<std::string> names = split_choices(choices);
  const bool jpeg = same_letters("jpeg", t) && std::find(names.begin(), names.end(), "jpg") != names.end();
  const std::string text = jpeg ? "jpg" : t;
  check_CHOICE(name, text, lo, hi, choices);
  for (const std::string& n : names) {
    if (same_letters(n, text)) out = n;
  }
}
template <typename Enum>
void from_text_CHOICE(const char* name, const std::string& t, Enum& out, double, double, const char* choices) {
  const std::vector<std::string> names = split_choices(choices);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == t) {
      out = static_cast<Enum>(i);
      return;
    }
  }
  invalid(std::string(name) + " must be " + either(names) + ", got '" + t + "'");
}

constexpr ParamKind kind_BOOL = ParamKind::Bool;
constexpr ParamKind kind_INT = ParamKind::Int;
constexpr ParamKind kind_FLOAT = ParamKind::Float;
constexpr ParamKind kind_TEXT = ParamKind::Text;
constexpr ParamKind kind_CHOICE = ParamKind::Choice;
constexpr ParamKind kind_TEXT_LIST = ParamKind::TextList;

[[noreturn]] void unknown(const std::string& name, ParamGroup group) {
  invalid("unknown " + std::string(param_group_name(group)) + " parameter '" + name + "'");
}

std::vector<ParamInfo> build_table() {
  std::vector<ParamInfo> t;
  const RestoreParams restore;
  const RestorerOptions restorer;
  const BatchOptions batch;
  const VideoOptions video;
#define GPEN_ENTRY(GROUP, object, KIND, name, lo, hi, choices, doc) \
  t.push_back(ParamInfo{#name, GROUP, kind_##KIND, lo, hi, split_choices(choices), get_param(object, #name), doc});
#define GPEN_RESTORE_PARAM(KIND, type, name, value, lo, hi, choices, doc) \
  GPEN_ENTRY(ParamGroup::Restore, restore, KIND, name, lo, hi, choices, doc)
#define GPEN_RESTORER_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  GPEN_ENTRY(ParamGroup::Restorer, restorer, KIND, name, lo, hi, choices, doc)
#define GPEN_BATCH_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  GPEN_ENTRY(ParamGroup::Batch, batch, KIND, name, lo, hi, choices, doc)
#define GPEN_VIDEO_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  GPEN_ENTRY(ParamGroup::Video, video, KIND, name, lo, hi, choices, doc)
#include "gpen/params.def"
#undef GPEN_ENTRY
  return t;
}

}  // namespace

std::vector<std::string> param_list_items(const std::string& text) { return detail::split_comma_list(text); }

std::string param_list_text(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

const std::vector<ParamInfo>& param_table() {
  static const std::vector<ParamInfo> table = build_table();
  return table;
}

const ParamInfo* find_param(const std::string& name) {
  for (const ParamInfo& p : param_table()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const char* param_group_name(ParamGroup group) {
  switch (group) {
    case ParamGroup::Restore: return "restore";
    case ParamGroup::Restorer: return "restorer";
    case ParamGroup::Batch: return "batch";
    case ParamGroup::Video: return "video";
  }
  return "unknown";
}

const char* param_kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::Bool: return "bool";
    case ParamKind::Int: return "int";
    case ParamKind::Float: return "float";
    case ParamKind::Text: return "text";
    case ParamKind::Choice: return "choice";
    case ParamKind::TextList: return "text-list";
  }
  return "unknown";
}

// get_param, set_param and validate for each struct, generated from gpen/params.def.

std::string get_param(const RestoreParams& p, const std::string& n) {
#define GPEN_RESTORE_PARAM(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return to_text_##KIND(p.name, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Restore);
}

std::string get_param(const RestorerOptions& o, const std::string& n) {
#define GPEN_RESTORER_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return to_text_##KIND(o.name, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Restorer);
}

std::string get_param(const BatchOptions& o, const std::string& n) {
#define GPEN_BATCH_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return to_text_##KIND(o.name, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Batch);
}

std::string get_param(const VideoOptions& o, const std::string& n) {
#define GPEN_VIDEO_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return to_text_##KIND(o.name, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Video);
}

void set_param(RestoreParams& p, const std::string& n, const std::string& text) {
#define GPEN_RESTORE_PARAM(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return from_text_##KIND(#name, text, p.name, lo, hi, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Restore);
}

void set_param(RestorerOptions& o, const std::string& n, const std::string& text) {
#define GPEN_RESTORER_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return from_text_##KIND(#name, text, o.name, lo, hi, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Restorer);
}

void set_param(BatchOptions& o, const std::string& n, const std::string& text) {
#define GPEN_BATCH_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return from_text_##KIND(#name, text, o.name, lo, hi, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Batch);
}

void set_param(VideoOptions& o, const std::string& n, const std::string& text) {
#define GPEN_VIDEO_OPTION(KIND, type, name, value, lo, hi, choices, doc) \
  if (n == #name) return from_text_##KIND(#name, text, o.name, lo, hi, choices);
#include "gpen/params.def"
  unknown(n, ParamGroup::Video);
}

void RestoreParams::validate() const {
#define GPEN_RESTORE_PARAM(KIND, type, name, value, lo, hi, choices, doc) check_##KIND(#name, name, lo, hi, choices);
#include "gpen/params.def"
}

void RestorerOptions::validate() const {
#define GPEN_RESTORER_OPTION(KIND, type, name, value, lo, hi, choices, doc) check_##KIND(#name, name, lo, hi, choices);
#include "gpen/params.def"
}

void BatchOptions::validate() const {
#define GPEN_BATCH_OPTION(KIND, type, name, value, lo, hi, choices, doc) check_##KIND(#name, name, lo, hi, choices);
#include "gpen/params.def"
}

void VideoOptions::validate() const {
#define GPEN_VIDEO_OPTION(KIND, type, name, value, lo, hi, choices, doc) check_##KIND(#name, name, lo, hi, choices);
#include "gpen/params.def"
}

Mode parse_mode(const std::string& name) {
  RestoreParams p;
  set_param(p, "mode", name);
  return p.mode;
}

const char* mode_name(Mode mode) {
  const std::vector<std::string>& names = find_param("mode")->choices;  // lives as long as the table
  const auto i = static_cast<std::size_t>(mode);
  return i < names.size() ? names[i].c_str() : "unknown";
}

Precision parse_precision(const std::string& name) {
  RestorerOptions o;
  set_param(o, "precision", name);
  return o.precision;
}

PhotoOps parse_photo_ops(const std::string& name) {
  RestorerOptions o;
  set_param(o, "photo_ops", name);
  return o.photo_ops;
}

}  // namespace gpen
