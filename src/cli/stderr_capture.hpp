#pragma once
// Keeps the progress bar whole: while a run shows a bar, everything written to stderr by the
// libraries (libpng's and libjpeg's warnings, printed by the decoders straight to file descriptor
// 2) is read back line by line and printed above the bar, which is then redrawn, and kept for the
// JSON report. Our own lines (progress, failures) are printed through print_line.

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gpen::cli {

class StderrCapture {
 public:
  /// Starts capturing. With `quiet`, library lines are kept for the report but not printed.
  explicit StderrCapture(bool quiet);
  ~StderrCapture();  ///< stops: the remaining lines are printed, file descriptor 2 restored
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  /// The real stderr, for the bar.
  std::FILE* terminal() const { return terminal_; }
  /// Draws the bar (text without "\r"): remembered, so that it is redrawn under each line.
  void show_bar(const std::string& bar);
  /// Ends the bar: a newline after it; later lines print plainly.
  void end_bar();
  /// Prints one of our lines above the bar.
  void print_line(const std::string& line);
  /// The lines libraries wrote to stderr during the capture, in order.
  std::vector<std::string> library_messages() const;

 private:
  void read_lines();
  void library_line(const std::string& line);
  void print_locked(const std::string& line);

  bool quiet_ = false;
  int saved_fd_ = -1;
  int read_fd_ = -1;
  std::FILE* terminal_ = nullptr;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string bar_;
  std::vector<std::string> library_messages_;
};

}  // namespace gpen::cli
