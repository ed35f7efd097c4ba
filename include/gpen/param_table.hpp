#pragma once
// The parameter table: every field of RestoreParams, RestorerOptions, BatchOptions and VideoOptions by name,
// with its kind, range, choices, default and one-line doc (all from gpen/params.def), and
// access to any field by name with values as text. The CLI's flags and --help, the C ABI's
// marshalling, the Python keywords, the JSON report and the HTTP API are derived from it, so a
// parameter is described once.

#include <string>
#include <vector>

#include "gpen/batch.hpp"
#include "gpen/export.hpp"
#include "gpen/options.hpp"
#include "gpen/params.hpp"
#include "gpen/video.hpp"

namespace gpen {

/// Which struct a parameter belongs to.
enum class ParamGroup { Restore, Restorer, Batch, Video };
/// BOOL, INT, FLOAT, TEXT, CHOICE and TEXT_LIST of gpen/params.def.
enum class ParamKind { Bool, Int, Float, Text, Choice, TextList };

struct ParamInfo {
  std::string name;  ///< the field's name: Python keyword, JSON key, C field, HTTP field
  ParamGroup group = ParamGroup::Restore;
  ParamKind kind = ParamKind::Text;
  double min = 0.0;  ///< Int and Float: inclusive range
  double max = 0.0;
  std::vector<std::string> choices;  ///< Choice: the allowed names
  std::string default_value;         ///< as text, as get_param writes it
  std::string doc;                   ///< one line
};

/// Every parameter, in the order of gpen/params.def (RestoreParams, RestorerOptions, BatchOptions, VideoOptions).
GPEN_API const std::vector<ParamInfo>& param_table();
/// The entry named `name`, or nullptr.
GPEN_API const ParamInfo* find_param(const std::string& name);
/// "restore", "restorer", "batch" or "video".
GPEN_API const char* param_group_name(ParamGroup group);
/// "bool", "int", "float", "text", "choice" or "text-list".
GPEN_API const char* param_kind_name(ParamKind kind);

/// The field `name` as text: numbers as the shortest text that reads back the same value,
/// booleans "true"/"false", choices by name, lists comma-separated. Throws
/// gpen::Error(InvalidArgument) for a name that is not a field of that struct.
GPEN_API std::string get_param(const RestoreParams& params, const std::string& name);
GPEN_API std::string get_param(const RestorerOptions& options, const std::string& name);
GPEN_API std::string get_param(const BatchOptions& options, const std::string& name);
GPEN_API std::string get_param(const VideoOptions& options, const std::string& name);

/// A TextList value's items from its text ("jpg, PNG" -> {"jpg", "PNG"}: split at commas, blanks
/// trimmed, empty items dropped), and back (items joined with ","), as set_param and get_param do.
GPEN_API std::vector<std::string> param_list_items(const std::string& text);
GPEN_API std::string param_list_text(const std::vector<std::string>& items);

/// Sets the field `name` from text and checks it against the table, throwing
/// gpen::Error(InvalidArgument) with a message that starts with the name, e.g.
/// "strength must be in 0-100, got 150", "mode must be natural, strong or detail, got 'x'",
/// "upscale needs a whole number, got '2.5'". Booleans take true/false, 1/0, yes/no, on/off.
GPEN_API void set_param(RestoreParams& params, const std::string& name, const std::string& value);
GPEN_API void set_param(RestorerOptions& options, const std::string& name, const std::string& value);
GPEN_API void set_param(BatchOptions& options, const std::string& name, const std::string& value);
GPEN_API void set_param(VideoOptions& options, const std::string& name, const std::string& value);

}  // namespace gpen
