#pragma once
// The batch engine: restores many files with three concurrent stages joined by bounded queues,
// so the compute device never waits for the disk and memory stays flat however many files
// there are:
//   read    (reader threads): decode, EXIF orientation, size limits, then the CPU work before
//           the model: face detection, alignment, mode pre-processing;
//   compute (one thread, owns the device): faces gathered across photos into batches of up to
//           max_batch, one model call per batch;
//   write   (writer threads): paste-back, photo-wide controls, encoding, atomic write.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gpen/params.hpp"
#include "gpen/restorer.hpp"
#include "gpen/export.hpp"

namespace gpen {

struct BatchProgress;

struct GPEN_API BatchOptions {
  // The fields, their defaults, ranges and documentation: gpen/params.def.
#define GPEN_BATCH_OPTION(KIND, type, name, value, lo, hi, choices, doc) type name = value;
#include "gpen/params.def"

  // Not parameters: callbacks, called from the engine's threads one at a time.
  /// After each file (restored, failed, skipped or cancelled). An exception it throws is ignored.
  std::function<void(const BatchProgress&)> progress;
  /// Asked before each file is started and between model batches; true stops the run like
  /// cancel(): files in flight are finished and written, the rest are reported as cancelled.
  std::function<bool()> should_stop;

  /// Throws gpen::Error(InvalidArgument) naming the first option out of range.
  void validate() const;
};

/// One input file and where its result goes.
struct PlannedFile {
  std::string input;
  std::string output;
};

/// Expands directories, filters by extension, mirrors relative paths and checks the plan:
/// throws gpen::Error(InvalidArgument) when two inputs would write the same output or an output
/// would overwrite an input, FileNotFound for a missing input path; an empty plan is an error.
GPEN_API std::vector<PlannedFile> plan_batch(const std::vector<std::string>& inputs, const BatchOptions& options);

/// The checks plan_batch makes of its plan, for a plan made elsewhere: throws
/// gpen::Error(InvalidArgument) for an empty plan, two inputs writing the same output, or an
/// output that would overwrite an input.
GPEN_API void check_plan(const std::vector<PlannedFile>& plan);

enum class FileStatus { Restored, Failed, Skipped, Cancelled };
GPEN_API const char* file_status_name(FileStatus status);

struct FileReport {
  std::string input;
  std::string output;
  FileStatus status = FileStatus::Cancelled;
  std::string error;  ///< why it failed
  std::vector<FaceResult> faces;  ///< detection and affine per face (crops are not kept)
  int width = 0;   ///< output size
  int height = 0;
  double read_s = 0.0;     ///< decoding, detection, alignment
  double compute_s = 0.0;  ///< its share of the model calls
  double write_s = 0.0;    ///< paste-back, encoding and writing
};

struct BatchProgress {
  int done = 0;  ///< finished in any way (restored, failed, skipped)
  int failed = 0;
  int skipped = 0;
  int total = 0;
  long long faces = 0;
  double elapsed_s = 0.0;
  double eta_s = 0.0;  ///< estimate for the files left; 0 when unknown
  const FileReport* file = nullptr;  ///< the file just finished
};

struct BatchReport {
  std::vector<FileReport> files;  ///< in plan order
  int restored = 0;
  int failed = 0;
  int skipped = 0;
  int cancelled = 0;
  long long faces = 0;
  int model_calls = 0;
  double wall_s = 0.0;
  double read_busy_s = 0.0;     ///< summed over reader threads
  double compute_busy_s = 0.0;  ///< time the compute stage spent in model calls
  double write_busy_s = 0.0;    ///< summed over writer threads
  /// compute_busy_s / wall_s: how much of the run the compute stage had work.
  double compute_busy_fraction = 0.0;
  bool was_cancelled = false;
};

using BatchProgressCallback = std::function<void(const BatchProgress&)>;

class GPEN_API BatchProcessor {
 public:
  /// `restorer` must outlive the processor. Throws gpen::Error(InvalidArgument) for bad options.
  BatchProcessor(const Restorer& restorer, BatchOptions options);
  ~BatchProcessor();
  BatchProcessor(const BatchProcessor&) = delete;
  BatchProcessor& operator=(const BatchProcessor&) = delete;

  /// Restores every planned file. Throws gpen::Error only when nothing can run (see plan_batch,
  /// invalid params) or the model is broken (its output fails the checks: InvalidModel, the run
  /// stops at once); a file that cannot be read, restored or written is reported and the run
  /// goes on. `progress` (else BatchOptions::progress) is called after each file, from the engine's
  /// threads, one call at a time.
  BatchReport run(const std::vector<std::string>& inputs, const RestoreParams& params,
                  const BatchProgressCallback& progress = {});

  /// Restores a plan made by the caller (e.g. plan_batch on another machine, split into shares):
  /// each input to its own output, which must lie inside BatchOptions::output_dir (compare/ and
  /// faces/ mirror it there). The plan is checked as plan_batch checks its own (check_plan);
  /// otherwise as run().
  BatchReport run_plan(std::vector<PlannedFile> plan, const RestoreParams& params,
                       const BatchProgressCallback& progress = {});

  /// Asks a running run() to stop: no new file is read; files already read are finished and
  /// written completely; the rest are reported as cancelled. Thread-safe.
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpen
