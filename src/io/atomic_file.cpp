#include "gpen/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "gpen/error.hpp"

namespace gpen {
namespace fs = std::filesystem;

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string templ = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(templ.begin(), templ.end());
  name.push_back('\0');
  auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::EncodeFailed, "cannot write " + path + ": " + what + ": " +
                                             std::strerror(errno));
  };
  const int fd = ::mkstemp(name.data());
  if (fd < 0) fail("cannot create a temporary file in " + dir.string());
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
