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
  if (::fstat(fd, &st) == 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    std::error_code ec;
    if (S_ISREG(st.st_mode)) ::unlink(file.c_str());
    if (S_ISDIR(st.st_mode)) fs::remove_all(file, ec);  // a folder of frames
  }
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

LockedTemporary::LockedTemporary(const std::string& path, Kind kind) : path_(path), kind_(kind) {
  remove_abandoned_temporaries_of(path);
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string pattern = (dir / ("." + target.filename().string() + kTempInfix + "XXXXXX")).string();
  // Another run's sweep may remove the file between mkstemp and flock (it is not locked yet):
  // after locking, a temporary without a link left is given up and another one made.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    int fd = -1;
    if (kind == Kind::File) {
      fd = ::mkstemp(name.data());
    } else if (::mkdtemp(name.data()) != nullptr) {
      fd = ::open(name.data(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0) fail("cannot create a temporary " + std::string(kind == Kind::File ? "file" : "folder") + " in " + dir.string(), errno);
    struct stat st {};
    if (::flock(fd, LOCK_EX) == 0 && ::fstat(fd, &st) == 0 && st.st_nlink > 0) {
      fd_ = fd;
      name_ = name.data();
      return;
    }
    ::close(fd);
  }
  fail("cannot keep a temporary in " + dir.string(), EAGAIN);
}

LockedTemporary::~LockedTemporary() {
  if (fd_ >= 0) close_and_remove();
}

void LockedTemporary::close_and_remove() {
  // Before the close: the lock keeps other runs away until it is gone.
  std::error_code ec;
  if (kind_ == Kind::File) ::unlink(name_.c_str());
  if (kind_ == Kind::Folder) fs::remove_all(name_, ec);
  ::close(fd_);
  fd_ = -1;
}

void LockedTemporary::fail(const std::string& what, int error) {
  if (fd_ >= 0) close_and_remove();
  throw Error(ErrorCode::EncodeFailed, "cannot write " + path_ + ": " + what + ": " + std::strerror(error));
}

void LockedTemporary::commit() {
  // mkstemp and mkdtemp make 0600 and 0700; give the result the usual rw-r--r-- (rwxr-xr-x).
  ::fchmod(fd_, kind_ == Kind::File ? 0644 : 0755);
  if (::fsync(fd_) != 0) fail("flush failed", errno);
  // A folder that is there already is replaced: moved aside (a temporary name of its own, so a
  // crash in between leaves it for the next sweep) and removed once the new one is in place.
  std::string old;
  std::error_code ec;
  if (kind_ == Kind::Folder && fs::is_directory(path_, ec)) {
    old = name_.substr(0, name_.size() - kTempSuffix) + "Replac";
    if (std::rename(path_.c_str(), old.c_str()) != 0) fail("cannot move the old folder aside", errno);
  }
  // Renamed while still locked, so no sweep can take it in between.
  if (std::rename(name_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    if (!old.empty()) std::rename(old.c_str(), path_.c_str());
    fail("rename failed", error);
  }
  if (!old.empty()) fs::remove_all(old, ec);
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
