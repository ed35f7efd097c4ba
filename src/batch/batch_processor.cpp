// BatchProcessor: read -> compute -> write, joined by bounded queues.

#include <atomic>
#include <chrono>
#include <deque>
#include <set>
#include <filesystem>
#include <mutex>
#include <new>
#include <thread>

#include "batch/bounded_queue.hpp"
#include "batch/face_batch.hpp"
#include "imaging/image_convert.hpp"
#include "io/atomic_file.hpp"
#include "io/image_file.hpp"
#include "device/cuda_support.hpp"
#include "gpen/batch.hpp"
#include "gpen/compare.hpp"
#include "gpen/error.hpp"
#include "gpen/io.hpp"
#include "photo/photo_job.hpp"
#include "restorer/restore_engine.hpp"
#include "model/torch_errors.hpp"

namespace gpen {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* file_status_name(FileStatus status) {
  switch (status) {
    case FileStatus::Restored: return "restored";
    case FileStatus::Failed: return "failed";
    case FileStatus::Skipped: return "skipped";
    case FileStatus::Cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A photo (or aligned crop) on its way through the stages: prepared by a reader, its faces
// restored by the compute stage, pasted back and encoded by a writer.
struct PhotoItem {
  std::size_t index = 0;
  detail::PhotoJob photo;
  Image original;  // the decoded input, kept only for BatchOptions::compare
  std::size_t next_face = 0;  // faces [0, next_face) have been sent to the model
  double model_s = 0.0;       // this photo's share of model calls
  bool gray_alpha = false;    // a gray+alpha PNG: written back with gray colours
};

// What a file's failure says: the error's message; for an allocation that failed (a bare
// std::bad_alloc says nothing), what ran out and what helps.
std::string failure_text(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) {
    return "out of memory: this photo needs more memory than is free (fewer readers, a smaller batch "
           "or fewer photos at once use less)";
  }
  return e.what();
}

}  // namespace

struct BatchProcessor::Impl {
  const detail::RestoreEngine* engine = nullptr;
  BatchOptions options;
  std::atomic<bool> cancelled{false};
  std::string model_error;  // the model's own output failed its checks: the run stops (report_mutex)
  std::function<bool()> should_stop;  // this run's: options.should_stop, else params.should_stop
  std::mutex should_stop_mutex;       // called by one thread at a time
  std::atomic<bool> running{false};

  /// run() and run_plan() once their plan is checked.
  BatchReport run(std::vector<PlannedFile> checked_plan, const RestoreParams& given,
                  const BatchProgressCallback& progress);

  // Per-run state.
  std::vector<PlannedFile> plan;
  BatchReport report;
  RestoreParams params;
  const BatchProgressCallback* progress = nullptr;
  std::mutex report_mutex;
  Clock::time_point start;
  int done = 0;

  void finish_file(std::size_t index, FileStatus status, const std::string& error = "") {
    std::lock_guard<std::mutex> lock(report_mutex);
    FileReport& f = report.files[index];
    f.status = status;
    f.error = error;
    ++done;
    if (status == FileStatus::Failed) ++report.failed;
    if (status == FileStatus::Skipped) ++report.skipped;
    if (status == FileStatus::Restored) {
      ++report.restored;
      report.faces += static_cast<long long>(f.faces.size());
    }
    if (progress && *progress) {
      BatchProgress p;
      p.done = done;
      p.failed = report.failed;
      p.skipped = report.skipped;
      p.total = static_cast<int>(plan.size());
      p.faces = report.faces;
      p.elapsed_s = since(start);
      const int worked = done - report.skipped;
      p.eta_s = worked > 0 ? p.elapsed_s / worked * (p.total - done) : 0.0;
      p.file = &f;
      try {
        (*progress)(p);
      } catch (...) {
        // A throwing callback must not take the engine down.
      }
    }
  }

  // True once cancel() was called or should_stop said so (asked here, inline: no thread
  // polls it).
  bool stop_requested() {
    if (cancelled) return true;
    if (should_stop) {
      std::lock_guard<std::mutex> lock(should_stop_mutex);
      bool stop = false;
      try {
        stop = should_stop();
      } catch (...) {
        stop = true;  // a callback that throws asks to stop
      }
      if (stop) cancelled = true;
    }
    return cancelled;
  }

  // Read stage: decode, then the CPU work before the model (detection, alignment, mode
  // pre-processing), so that the compute stage does nothing but model calls.
  void read_stage(std::atomic<std::size_t>& next, detail::BoundedQueue<PhotoItem>& out) {
    const detail::DeviceStreamScope stream(engine->device());  // each reader on a stream of its own
    for (;;) {
      if (stop_requested()) return;
      const std::size_t i = next++;
      if (i >= plan.size()) return;
      if (report.files[i].status == FileStatus::Skipped) continue;
      const auto t = Clock::now();
      try {
        detail::DecodedImage file = detail::read_image_file(plan[i].input);
        PhotoItem item = detail::with_torch_errors(plan[i].input, [&] { return prepare(i, std::move(file.image)); });
        item.gray_alpha = file.gray_alpha;
        stream.synchronize();  // the crops are complete before the compute stage's stream reads them
        const double s = since(t);
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          report.files[i].read_s = s;
          report.read_busy_s += s;
        }
        if (!out.push(std::move(item))) return;
      } catch (const std::exception& e) {
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          report.read_busy_s += since(t);
        }
        finish_file(i, FileStatus::Failed, failure_text(e));
      }
    }
  }

  PhotoItem prepare(std::size_t index, Image image) const {
    PhotoItem item;
    item.index = index;
    item.photo = engine->prepare(image.view(), params, options.aligned, /*keep_crops=*/options.save_faces,
                                 plan[index].input);
    if (options.compare) item.original = std::move(image);
    return item;
  }

  // Compute stage: gathers faces across photos into batches of up to max_batch, one model
  // call per batch, and never waits while it has faces to restore.
  void compute_stage(detail::BoundedQueue<PhotoItem>& in, detail::BoundedQueue<PhotoItem>& out) {
    const detail::DeviceStreamScope stream(engine->device());
    const std::size_t max_batch = static_cast<std::size_t>(engine->max_batch());
    std::deque<PhotoItem> pending;
    std::size_t waiting_faces = 0;  // faces of pending photos not yet sent to the model
    bool input_open = true;
    double busy = 0.0;
    while (input_open || !pending.empty()) {
      stop_requested();  // between model batches: readers then take no new file
      while (input_open && waiting_faces < max_batch) {
        std::optional<PhotoItem> item = pending.empty() ? in.pop() : in.try_pop();
        if (!item) {
          if (pending.empty()) input_open = false;  // pop() gave nothing: closed and drained
          break;
        }
        if (item->photo.needs_model(params)) {
          waiting_faces += item->photo.face_count();
          pending.push_back(std::move(*item));
        } else {
          out.push(std::move(*item));
        }
      }
      if (pending.empty()) continue;

      // Photos on the device path send tensors, the others 8-bit crops; a batch holds one kind.
      std::vector<detail::JobFaces> jobs;
      for (PhotoItem& item : pending) jobs.push_back({&item.photo, &item.next_face});
      const std::vector<detail::FaceSlot> slots = detail::take_next_faces(jobs, max_batch);
      const auto t = Clock::now();
      std::string error;
      try {
        detail::restore_faces(*engine, stream, jobs, slots);
      } catch (const Error& e) {
        error = e.what();
        if (e.code() == ErrorCode::InvalidModel) {  // a broken model, not a bad photo: stop here
          std::lock_guard<std::mutex> lock(report_mutex);
          if (model_error.empty()) model_error = e.what();
          cancelled = true;
        }
      } catch (const std::exception& e) {
        error = failure_text(e);
      }
      const double model_s = since(t);
      busy += model_s;
      {
        std::lock_guard<std::mutex> lock(report_mutex);
        ++report.model_calls;
      }
      waiting_faces -= slots.size();
      std::set<const PhotoItem*> hit;
      for (const detail::FaceSlot& slot : slots) {
        PhotoItem& item = pending[slot.job];
        hit.insert(&item);
        item.model_s += model_s / static_cast<double>(slots.size());
      }
      for (auto it = pending.begin(); it != pending.end();) {
        const bool done = it->next_face == it->photo.face_count();
        if (!error.empty() && hit.count(&*it)) {  // the batch failed: so do its photos
          waiting_faces -= it->photo.face_count() - it->next_face;
          finish_file(it->index, FileStatus::Failed, error);
          it = pending.erase(it);
        } else if (done && it == pending.begin()) {  // hand finished photos on, oldest first
          record_compute(*it);
          out.push(std::move(*it));
          it = pending.erase(it);
        } else {
          ++it;
        }
      }
    }
    std::lock_guard<std::mutex> lock(report_mutex);
    report.compute_busy_s = busy;
  }

  void record_compute(const PhotoItem& item) {
    std::lock_guard<std::mutex> lock(report_mutex);
    report.files[item.index].compute_s = item.model_s;
  }

  // Write stage: paste-back and photo-wide controls, then encoding and an atomic write.
  void write_stage(detail::BoundedQueue<PhotoItem>& in) {
    const detail::DeviceStreamScope stream(engine->device());  // each writer on a stream of its own
    while (std::optional<PhotoItem> item = in.pop()) {
      const auto t = Clock::now();
      const std::size_t index = item->index;
      const PlannedFile& file = plan[index];
      try {
        // Result.faces carry their crops only with save_faces (keep_crops).
        Result done = detail::with_torch_errors(file.input, [&] { return engine->finish(std::move(item->photo), params); });
        if (item->gray_alpha) detail::make_colours_gray(done.image);
        const fs::path out(file.output);
        if (out.has_parent_path()) fs::create_directories(out.parent_path());
        write_image(file.output, done.image.view(), options.quality);
        if (options.save_faces) save_faces(file, done.faces);
        if (options.compare) save_comparison(file, item->original, done.image);
        const double s = since(t);
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          FileReport& f = report.files[index];
          f.write_s = s;
          f.width = done.image.width();
          f.height = done.image.height();
          f.faces.clear();
          for (const FaceResult& face : done.faces) {
            FaceResult kept;
            kept.detection = face.detection;
            kept.affine = face.affine;
            f.faces.push_back(std::move(kept));
          }
          report.write_busy_s += s;
        }
        finish_file(index, FileStatus::Restored);
      } catch (const std::exception& e) {
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          report.write_busy_s += since(t);
        }
        finish_file(index, FileStatus::Failed, failure_text(e));
      }
    }
  }

  // OUTDIR/compare/<output path relative to OUTDIR>: input | result.
  void save_comparison(const PlannedFile& file, const Image& original, const Image& result) const {
    const fs::path path = fs::path(options.output_dir) / "compare" /
                          fs::path(file.output).lexically_relative(options.output_dir);
    fs::create_directories(path.parent_path());
    write_image(path.string(), side_by_side(original.view(), result.view()).view(), options.quality);
  }

  // OUTDIR/faces/<output path relative to OUTDIR, without extension>_<i>_{aligned,restored}.png
  void save_faces(const PlannedFile& file, const std::vector<FaceResult>& faces) const {
    if (faces.empty()) return;
    fs::path relative = fs::path(file.output).lexically_relative(options.output_dir);
    relative.replace_extension();
    const fs::path stem = fs::path(options.output_dir) / "faces" / relative;
    fs::create_directories(stem.parent_path());
    for (std::size_t i = 0; i < faces.size(); ++i) {
      const std::string base = stem.string() + "_" + std::to_string(i);
      write_image(base + "_aligned.png", faces[i].aligned.view());
      if (!faces[i].restored.empty()) write_image(base + "_restored.png", faces[i].restored.view());
    }
  }
};

BatchProcessor::BatchProcessor(const Restorer& restorer, BatchOptions options) : impl_(std::make_unique<Impl>()) {
  options.validate();
  impl_->engine = &restorer.engine();
  impl_->options = std::move(options);
}

BatchProcessor::~BatchProcessor() = default;

void BatchProcessor::cancel() { impl_->cancelled = true; }

BatchReport BatchProcessor::run(const std::vector<std::string>& inputs, const RestoreParams& params,
                                const BatchProgressCallback& progress) {
  params.validate();
  return impl_->run(plan_batch(inputs, impl_->options), params, progress);  // plan_batch checks its plan
}

BatchReport BatchProcessor::run_plan(std::vector<PlannedFile> plan, const RestoreParams& params,
                                     const BatchProgressCallback& progress) {
  params.validate();
  const BatchOptions& options = impl_->options;
  if (options.output_dir.empty()) throw Error(ErrorCode::InvalidArgument, "no output directory given");
  check_plan(plan);
  for (const PlannedFile& f : plan) {
    const fs::path relative = fs::path(f.output).lexically_normal().lexically_relative(
        fs::path(options.output_dir).lexically_normal());
    if (relative.empty() || relative == "." || *relative.begin() == "..") {
      throw Error(ErrorCode::InvalidArgument,
                  "output " + f.output + " is not inside the output folder " + options.output_dir);
    }
  }
  return impl_->run(std::move(plan), params, progress);
}

// A checked plan, through the three stages.
BatchReport BatchProcessor::Impl::run(std::vector<PlannedFile> checked_plan, const RestoreParams& given,
                                      const BatchProgressCallback& progress) {
  Impl& s = *this;
  if (s.running.exchange(true)) throw Error(ErrorCode::InvalidArgument, "this BatchProcessor is already running");
  struct Running {
    std::atomic<bool>& flag;
    ~Running() { flag = false; }
  } in_run{s.running};

  s.plan = std::move(checked_plan);
  s.params = given;
  // A should_stop given with the restore parameters stops the run (as BatchOptions::should_stop);
  // the phases themselves then never throw Cancelled for single files.
  s.should_stop = s.options.should_stop ? s.options.should_stop : given.should_stop;
  s.params.should_stop = nullptr;
  s.progress = progress ? &progress : &s.options.progress;
  s.report = BatchReport();
  s.done = 0;
  s.start = Clock::now();
  s.report.files.resize(s.plan.size());
  for (std::size_t i = 0; i < s.plan.size(); ++i) {
    s.report.files[i].input = s.plan[i].input;
    s.report.files[i].output = s.plan[i].output;
  }
  // Temporaries left by a killed run, also of outputs this run skips or fails.
  for (const PlannedFile& f : s.plan) detail::remove_abandoned_temporaries_of(f.output);
  if (s.options.skip_existing) {
    for (std::size_t i = 0; i < s.plan.size(); ++i) {
      std::error_code ec;
      if (fs::exists(s.plan[i].output, ec)) s.finish_file(i, FileStatus::Skipped);
    }
  }

  detail::BoundedQueue<PhotoItem> decoded(static_cast<std::size_t>(s.options.queue_capacity));
  detail::BoundedQueue<PhotoItem> finished(static_cast<std::size_t>(s.options.queue_capacity));
  std::atomic<std::size_t> next{0};
  std::atomic<int> readers_left{s.options.readers};
  std::vector<std::thread> threads;
  for (int r = 0; r < s.options.readers; ++r) {
    threads.emplace_back([&] {
      s.read_stage(next, decoded);
      if (--readers_left == 0) decoded.close();
    });
  }
  std::thread compute([&] {
    s.compute_stage(decoded, finished);
    finished.close();
  });
  for (int w = 0; w < s.options.writers; ++w) threads.emplace_back([&] { s.write_stage(finished); });
  compute.join();
  for (std::thread& t : threads) t.join();

  BatchReport report = std::move(s.report);
  report.wall_s = since(s.start);
  report.compute_busy_fraction = report.wall_s > 0 ? report.compute_busy_s / report.wall_s : 0.0;
  report.was_cancelled = s.cancelled;
  for (const FileReport& f : report.files) report.cancelled += f.status == FileStatus::Cancelled ? 1 : 0;
  s.cancelled = false;
  s.progress = nullptr;
  if (!s.model_error.empty()) {
    const std::string error = std::move(s.model_error);
    s.model_error.clear();
    throw Error(ErrorCode::InvalidModel, error + "; the run stopped (every photo with a face would fail)");
  }
  return report;
}

}  // namespace gpen
