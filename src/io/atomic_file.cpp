#include "gpen/io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "gpen/error.hpp"
#include "io/atomic_file.hpp"

namespace gpen {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTempInfix = ".tmp-";
constexpr std::size_t kTempSuffix = 6;  // mkstemp's XXXXXX

// ".NAME.tmp-XXXXXX" -> "NAME"; empty if `file` is not named like a temporary.
std::string target_of_temporary(const std::string& file) {
  const std::size_t infix = std::strlen(kTempInfix);
  if (file.size() < 2 + infix + kTempSuffix || file[0] != '.') return "";
  const std::size_t at = file.size() - kTempSuffix - infix;
  if (file.compare(at, infix, kTempInfix) != 0) return "";
  return file.substr(1, at - 1);
}

// Removes `file` if no writer holds it. A writer locks its temporary right after creating it and
// checks afterwards that it still exists (LockedTemporary), so one removed in between is noticed.
void remove_if_abandoned(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0) ::unlink(file.c_str());
  ::close(fd);
}

// Per folder, the temporaries found when this process first looked there: target name -> files.
class TemporaryIndex {
 public:
  std::vector<fs::path> take(const fs::path& dir, const std::string& target) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = folders_.find(dir.string());
    if (found == folders_.end()) found = folders_.emplace(dir.string(), list(dir)).first;
    std::vector<fs::path> files;
    auto [first, last] = found->second.equal_range(target);
    for (auto it = first; it != last; ++it) files.push_back(dir / it->second);
    found->second.erase(first, last);
    return files;
  }

 private:
  static std::multimap<std::string, std::string> list(const fs::path& dir) {
    std::multimap<std::string, std::string> temporaries;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const std::string target = target_of_temporary(name);
      if (!target.empty()) temporaries.emplace(target, name);
    }
    return temporaries;
  }

  std::mutex mutex_;
  std::map<std::string, std::multimap<std::string, std::string>> folders_;
};

}  // namespace

namespace detail {

void remove_abandoned_temporaries_of(const std::string& path) {
  static TemporaryIndex index;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  for (const fs::path& file : index.take(dir, target.filename().string())) remove_if_abandoned(file);
}

LockedTemporary::LockedTemporary(const std::string& path) : path_(path) {
  remove_abandoned_temporaries_of(path);
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string pattern = (dir / ("." + target.filename().string() + kTempInfix + "XXXXXX")).string();
  // Another run's sweep may remove the file between mkstemp and flock (it is not locked yet):
  // after locking, a temporary without a link left is given up and another one made.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) fail("cannot create a temporary file in " + dir.string(), errno);
    struct stat st {};
    if (::flock(fd, LOCK_EX) == 0 && ::fstat(fd, &st) == 0 && st.st_nlink > 0) {
      fd_ = fd;
      name_ = name.data();
      return;
    }
    ::close(fd);
  }
  fail("cannot keep a temporary file in " + dir.string(), EAGAIN);
}

LockedTemporary::~LockedTemporary() {
  if (fd_ >= 0) close_and_remove();
}

void LockedTemporary::close_and_remove() {
  ::unlink(name_.c_str());  // before the close: the lock keeps other runs away until it is gone
  ::close(fd_);
  fd_ = -1;
}

void LockedTemporary::fail(const std::string& what, int error) {
  if (fd_ >= 0) close_and_remove();
  throw Error(ErrorCode::EncodeFailed, "cannot write " + path_ + ": " + what + ": " + std::strerror(error));
}

void LockedTemporary::commit() {
  // Files from mkstemp are 0600; give the result the usual rw-r--r--.
  ::fchmod(fd_, 0644);
  if (::fsync(fd_) != 0) fail("flush failed", errno);
  // Renamed while still locked, so no sweep can take it in between.
  if (std::rename(name_.c_str(), path_.c_str()) != 0) fail("rename failed", errno);
  ::close(fd_);  // the data is on disk (fsync above); only the lock goes with it
  fd_ = -1;
}

}  // namespace detail

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  detail::LockedTemporary temporary(path);
  const char* p = static_cast<const char*>(data);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(temporary.fd(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::EncodeFailed, "cannot write " + path + ": write failed: " + std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  temporary.commit();
}

}  // namespace gpen
