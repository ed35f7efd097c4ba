#pragma once
// Text from outside (file names, error messages holding them) made safe to print on one
// terminal line: control characters (a newline in a file name, an escape sequence) are shown
// as \n, \t, \r or \xNN. Other bytes, UTF-8 or not, are left as they are.

#include <string>

namespace gpen::cli {

std::string display_text(const std::string& text);

}  // namespace gpen::cli
