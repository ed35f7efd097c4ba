// libFuzzer target: set_param, the door through which the CLI, the HTTP API and the bindings
// put untrusted text into the parameter structs. Any text for any name: either a clear
// gpen::Error, or a value that validates and reads back as text that sets the same value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gpen/error.hpp"
#include "gpen/param_table.hpp"

namespace {

template <typename Struct>
void exercise(const gpen::ParamInfo& info, const std::string& text) {
  Struct s;
  try {
    gpen::set_param(s, info.name, text);
  } catch (const gpen::Error& e) {
    if (e.code() != gpen::ErrorCode::InvalidArgument) __builtin_trap();
    return;
  }
  s.validate();  // whatever set_param took is valid
  const std::string back = gpen::get_param(s, info.name);
  Struct again;
  gpen::set_param(again, info.name, back);
  if (gpen::get_param(again, info.name) != back) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& table = gpen::param_table();
  const gpen::ParamInfo& info = table[data[0] % table.size()];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (info.group) {
    case gpen::ParamGroup::Restore: exercise<gpen::RestoreParams>(info, text); break;
    case gpen::ParamGroup::Restorer: exercise<gpen::RestorerOptions>(info, text); break;
    case gpen::ParamGroup::Batch: exercise<gpen::BatchOptions>(info, text); break;
    case gpen::ParamGroup::Video: exercise<gpen::VideoOptions>(info, text); break;
  }
  return 0;
}
