#include "catalogue/models_tool.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "gpen/error.hpp"

extern char** environ;

namespace gpen::detail {
namespace fs = std::filesystem;

namespace {

std::string python_executable() {
  const char* env = std::getenv("GPEN_PYTHON");
  if (env && *env) return env;
  return GPEN_PYTHON_EXECUTABLE;  // the interpreter CMake found (compile definition)
}

// The installed share/gpen/python, found from where this library is (installs relocate).
std::string installed_python_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&run_models_tool), &info) == 0 || !info.dli_fname) return "";
  return (fs::path(info.dli_fname).parent_path() / GPEN_LIB_TO_PYTHON_DIR).lexically_normal().string();
}

// PYTHONPATH with the gpen package's Python sources first: the source tree's python/ (a build
// tree) or the installed share/gpen/python, whichever exists; a pip-installed package is found
// by Python itself.
std::string python_path() {
  std::string path;
  for (const std::string& dir : {std::string(GPEN_SOURCE_PYTHON_DIR), installed_python_dir()}) {
    std::error_code ec;
    if (!dir.empty() && fs::exists(fs::path(dir) / "gpen" / "models.py", ec)) {
      path = dir;
      break;
    }
  }
  const char* old = std::getenv("PYTHONPATH");
  if (old && *old) path = path.empty() ? std::string(old) : path + ":" + old;
  return path;
}

std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "PYTHONPATH=", 11) != 0) env.emplace_back(*e);
  }
  const std::string path = python_path();
  if (!path.empty()) env.push_back("PYTHONPATH=" + path);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  const auto start = trimmed.find_last_of("\n\r");
  return start == std::string::npos ? trimmed : trimmed.substr(start + 1);
}

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (pipe2(fd, O_CLOEXEC) != 0) throw Error(ErrorCode::Internal, std::string("pipe: ") + std::strerror(errno));
  }
  ~Pipe() {
    for (int f : fd) if (f >= 0) close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

}  // namespace

std::string run_models_tool(const std::vector<std::string>& args) {
  const std::string python = python_executable();
  std::vector<std::string> argv_strings = {python, "-m", "gpen.models", "--errors-on-stdout"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  // GPEN_QUIET (set by `gpen-restore -q`): no progress, only errors (which come back on stdout).
  const char* quiet = std::getenv("GPEN_QUIET");
  if (quiet != nullptr && *quiet != '\0' && std::string(quiet) != "0") argv_strings.push_back("-q");
  std::vector<std::string> env_strings = child_environment();
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);

  Pipe out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out.fd[0]);
  posix_spawn_file_actions_addclose(&actions, err.fd[0]);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw Error(ErrorCode::InvalidModel, "cannot start Python (" + python + ": " + std::strerror(spawned) +
                                             "), which converting and downloading models needs; set GPEN_PYTHON "
                                             "to a python3 with PyTorch, or convert on another machine with "
                                             "`python3 -m gpen.models convert FILE.pth` and pass the .pt");
  }
  out.close_end(1);
  err.close_end(1);

  std::string stdout_text, stderr_text;
  pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
  int open_pipes = 2;
  char buffer[4096];
  while (open_pipes > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        fds[i].fd = -1;
        --open_pipes;
        continue;
      }
      if (i == 0) {
        stdout_text.append(buffer, static_cast<std::size_t>(n));
      } else {
        stderr_text.append(buffer, static_cast<std::size_t>(n));
        ssize_t ignored = write(STDERR_FILENO, buffer, static_cast<std::size_t>(n));  // progress, live
        (void)ignored;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return last_line(stdout_text);
  // The tool's own error is its last stdout line; anything else (Python failing to start the
  // module) is on stderr, already shown.
  const std::string prefix = "gpen models: error: ";
  std::string reason = last_line(stdout_text);
  if (reason.rfind(prefix, 0) == 0) {
    reason = reason.substr(prefix.size());
  } else {
    reason = last_line(stderr_text);
  }
  if (reason.find("No module named") != std::string::npos) {
    reason = python + " cannot import the gpen package's model tools (" + reason +
             "); set GPEN_PYTHON to a python3 with PyTorch, or PYTHONPATH to gpen's python/ folder";
  }
  if (reason.empty()) reason = python + " -m gpen.models failed (exit status " + std::to_string(status) + ")";
  throw Error(ErrorCode::InvalidModel, reason);
}

}  // namespace gpen::detail
