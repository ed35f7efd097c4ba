#include "gpen/io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
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
constexpr std::time_t kAbandonedAfterS = 5;

// ".NAME.tmp-XXXXXX" -> "NAME"; empty if `file` is not named like a temporary.
std::string target_of_temporary(const std::string& file) {
  const std::size_t infix = std::strlen(kTempInfix);
  if (file.size() < 2 + infix + kTempSuffix || file[0] != '.') return "";
  const std::size_t at = file.size() - kTempSuffix - infix;
  if (file.compare(at, infix, kTempInfix) != 0) return "";
  return file.substr(1, at - 1);
}

// Removes `file` if no writer holds it (flock) and it was last written a while ago.
void remove_if_abandoned(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  struct stat st {};
  const bool old = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && std::time(nullptr) - st.st_mtime >= kAbandonedAfterS;
  if (old && ::flock(fd, LOCK_EX | LOCK_NB) == 0) ::unlink(file.c_str());
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

}  // namespace detail

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  detail::remove_abandoned_temporaries_of(path);
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string templ = (dir / ("." + target.filename().string() + kTempInfix + "XXXXXX")).string();
  std::vector<char> name(templ.begin(), templ.end());
  name.push_back('\0');
  auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::EncodeFailed, "cannot write " + path + ": " + what + ": " +
                                             std::strerror(errno));
  };
  const int fd = ::mkstemp(name.data());
  if (fd < 0) fail("cannot create a temporary file in " + dir.string());
  ::flock(fd, LOCK_EX);  // held until close: this temporary has a writer
  const char* p = static_cast<const char*>(data);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(name.data());
      errno = saved;
      fail("write failed");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  // Files from mkstemp are 0600; give the result the usual rw-r--r--.
  ::fchmod(fd, 0644);
  // Both always run: the descriptor is closed even when fsync fails.
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  const int closed = ::close(fd);
  if (synced != 0 || closed != 0) {
    const int saved = synced != 0 ? sync_errno : errno;
    ::unlink(name.data());
    errno = saved;
    fail("flush failed");
  }
  if (std::rename(name.data(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(name.data());
    errno = saved;
    fail("rename failed");
  }
}

}  // namespace gpen
