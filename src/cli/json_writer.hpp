#pragma once
// A minimal streaming JSON writer for reports (internal).

#include <sstream>
#include <string>
#include <vector>

namespace gpen::detail {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// Key inside an object; the next call writes its value.
  JsonWriter& key(const std::string& name);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(int number);
  JsonWriter& value(long long number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  std::string str() const { return out_.str(); }

 private:
  void separate();
  std::ostringstream out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

/// `text` as a JSON string literal, quotes included.
std::string json_quote(const std::string& text);

}  // namespace gpen::detail
