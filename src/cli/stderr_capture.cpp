#include "stderr_capture.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace gpen::cli {

StderrCapture::StderrCapture(bool quiet) : quiet_(quiet) {
  std::fflush(stderr);
  int fds[2];
  saved_fd_ = ::dup(STDERR_FILENO);
  if (saved_fd_ < 0 || ::pipe2(fds, O_CLOEXEC) != 0) {  // cannot capture: everything stays as it is
    if (saved_fd_ >= 0) ::close(saved_fd_);
    saved_fd_ = -1;
    terminal_ = stderr;
    return;
  }
  ::fcntl(saved_fd_, F_SETFD, FD_CLOEXEC);
  terminal_ = ::fdopen(saved_fd_, "w");
  read_fd_ = fds[0];
  ::dup2(fds[1], STDERR_FILENO);
  ::close(fds[1]);
  reader_ = std::thread([this] { read_lines(); });
}

StderrCapture::~StderrCapture() {
  if (saved_fd_ < 0) return;
  std::fflush(stderr);
  ::dup2(saved_fd_, STDERR_FILENO);  // closes the pipe's last write end: the reader sees the end
  reader_.join();
  ::close(read_fd_);
  std::fclose(terminal_);
}

void StderrCapture::read_lines() {
  std::string pending;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(read_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t end;
    while ((end = pending.find('\n')) != std::string::npos) {
      library_line(pending.substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  if (!pending.empty()) library_line(pending);
}

void StderrCapture::print_locked(const std::string& line) {
  if (!bar_.empty()) std::fprintf(terminal_, "\r\033[K");  // clear the bar's line
  std::fprintf(terminal_, "%s\n", line.c_str());
  if (!bar_.empty()) std::fprintf(terminal_, "\r%s", bar_.c_str());
  std::fflush(terminal_);
}

void StderrCapture::print_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  print_locked(line);
}

// What reaches the pipe is what the libraries wrote: our own lines go through print_line.
// libpng writes "libpng warning: MESSAGE" and its newline in two writes, so two decoder threads
// warning at once arrive as "libpng warning: Alibpng warning: B": such a line is split again.
void StderrCapture::library_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string marker = "libpng ";
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t next = line.find(marker, start + 1);
    if (next == std::string::npos) next = line.size();
    const std::string message = line.substr(start, next - start);
    library_messages_.push_back(message);
    if (!quiet_) print_locked(message);
    start = next;
  }
}

void StderrCapture::show_bar(const std::string& bar) {
  std::lock_guard<std::mutex> lock(mutex_);
  bar_ = bar;
  std::fprintf(terminal_, "\r%s", bar_.c_str());
  std::fflush(terminal_);
}

void StderrCapture::end_bar() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bar_.empty()) return;
  bar_.clear();
  std::fprintf(terminal_, "\n");
  std::fflush(terminal_);
}

std::vector<std::string> StderrCapture::library_messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return library_messages_;
}

}  // namespace gpen::cli
