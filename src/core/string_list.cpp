#include "core/string_list.hpp"

namespace gpen::detail {

std::vector<std::string> split_comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return items;
}

}  // namespace gpen::detail
