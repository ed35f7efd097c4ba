#pragma once
// Temporaries of atomic writes: ".NAME.tmp-XXXXXX" beside NAME. A writer holds an exclusive
// flock on its temporary from before anyone could see it written to until it is renamed or
// removed, so a temporary that can be locked has no writer left (its process was killed) and is
// removed by the next run that writes NAME.

#include <string>

namespace gpen::detail {

/// Removes the abandoned temporaries of the output `path`. Each folder is listed once per
/// process (the first time it is asked about), so calling this for every file of a batch costs
/// one listing per folder, not one per file.
void remove_abandoned_temporaries_of(const std::string& path);

/// A new temporary file (or folder) beside `path`, locked for as long as this object lives:
/// commit() renames it onto `path` (a folder there already is replaced); otherwise the destructor
/// removes it. The abandoned temporaries of `path` are removed first. Throws Error(EncodeFailed)
/// when the folder takes no new file.
class LockedTemporary {
 public:
  enum class Kind { File, Folder };
  explicit LockedTemporary(const std::string& path, Kind kind = Kind::File);
  ~LockedTemporary();
  LockedTemporary(const LockedTemporary&) = delete;
  LockedTemporary& operator=(const LockedTemporary&) = delete;

  /// The temporary's own path (write to it through fd() or by opening it again).
  const std::string& name() const { return name_; }
  /// The descriptor that holds the lock: a file's is open for writing.
  int fd() const { return fd_; }
  /// Flushes the temporary to disk and renames it onto the output path; throws on failure (the
  /// temporary is then removed).
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what, int error);
  void close_and_remove();

  std::string path_;
  Kind kind_;
  std::string name_;
  int fd_ = -1;
};

}  // namespace gpen::detail
