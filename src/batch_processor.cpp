// BatchProcessor: read -> compute -> write, joined by bounded queues.

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <filesystem>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "bounded_queue.hpp"
#include "face_controls.hpp"
#include "gpen/batch.hpp"
#include "gpen/error.hpp"
#include "gpen/io.hpp"
#include "image_convert.hpp"
#include "photo_job.hpp"
#include "restorer_impl.hpp"

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

struct Decoded {
  std::size_t index;
  Image image;
};

struct Finished {
  std::size_t index;
  Image image;
  std::vector<FaceResult> faces;  // crops kept only for save_faces
};

// A photo (or aligned crop) inside the compute stage, waiting for its faces' model outputs.
struct ComputeJob {
  std::size_t index = 0;
  detail::PhotoJob photo;
  cv::Mat aligned_original;  // aligned mode: the model-size crop before mode pre-processing
  ColorOrder order = ColorOrder::BGR;
  std::size_t next_face = 0;  // faces [0, next_face) are in flight or done
  double seconds = 0.0;
};

// Removes temporary files left by a killed run (".<name>.tmp-XXXXXX") beside planned outputs.
void remove_stale_temporaries(const std::vector<PlannedFile>& plan) {
  std::map<fs::path, std::set<std::string>> names_in;
  for (const PlannedFile& f : plan) {
    const fs::path out(f.output);
    names_in[out.parent_path()].insert("." + out.filename().string() + ".tmp-");
  }
  for (const auto& [dir, prefixes] : names_in) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      for (const std::string& prefix : prefixes) {
        if (name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0) {
          std::error_code rm;
          fs::remove(it->path(), rm);
        }
      }
    }
  }
}

}  // namespace

struct BatchProcessor::Impl {
  const Restorer* restorer = nullptr;
  const Restorer::Impl* engine = nullptr;
  BatchOptions options;
  std::atomic<bool> cancelled{false};
  std::atomic<bool> running{false};

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

  void read_stage(std::atomic<std::size_t>& next, detail::BoundedQueue<Decoded>& out) {
    for (;;) {
      if (cancelled) return;
      const std::size_t i = next++;
      if (i >= plan.size()) return;
      if (report.files[i].status == FileStatus::Skipped) continue;
      const auto t = Clock::now();
      try {
        Image image = read_image(plan[i].input);
        const double s = since(t);
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          report.files[i].read_s = s;
          report.read_busy_s += s;
        }
        if (!out.push(Decoded{i, std::move(image)})) return;
      } catch (const std::exception& e) {
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          report.read_busy_s += since(t);
        }
        finish_file(i, FileStatus::Failed, e.what());
      }
    }
  }

  // Detection, alignment (or the aligned crop as it is) and mode pre-processing.
  ComputeJob prepare(Decoded item) {
    ComputeJob job;
    job.index = item.index;
    job.order = item.image.order();
    const int size = engine->enhancer->info().size;
    if (options.aligned) {
      cv::Mat face = detail::to_bgr8(item.image.view(), plan[item.index].input);
      if (face.cols < 16 || face.rows < 16) {
        throw Error(ErrorCode::InvalidImage, "aligned face is " + std::to_string(face.cols) + "x" +
                                                 std::to_string(face.rows) + "; at least 16x16 is needed");
      }
      if (face.cols != size || face.rows != size) {
        cv::Mat resized;
        cv::resize(face, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
        face = resized;
      }
      job.aligned_original = face;
      job.photo.inputs.push_back(detail::prepare_face(face, params));
    } else {
      job.photo = detail::prepare_photo(item.image.view(), params, engine->detector(),
                                        engine->options.detection_max_side, size);
    }
    return job;
  }

  Finished complete(ComputeJob& job) {
    Finished f;
    f.index = job.index;
    if (options.aligned) {
      const cv::Mat restored = job.photo.restored.empty() ? job.aligned_original : job.photo.restored[0];
      f.image = detail::to_image(detail::finish_aligned_face(job.aligned_original, restored, params), job.order);
      return f;
    }
    const int size = engine->enhancer->info().size;
    Result r = detail::finish_photo(std::move(job.photo), params, size);
    f.image = std::move(r.image);
    f.faces = std::move(r.faces);
    return f;
  }

  bool needs_model(const ComputeJob& job) const {
    return options.aligned ? !job.photo.inputs.empty() : job.photo.needs_model(params);
  }

  void compute_stage(detail::BoundedQueue<Decoded>& in, detail::BoundedQueue<Finished>& out) {
    const std::size_t max_batch = static_cast<std::size_t>(engine->options.max_batch);
    std::deque<ComputeJob> pending;
    std::size_t waiting_faces = 0;  // faces of pending jobs not yet sent to the model
    bool input_open = true;
    double busy = 0.0;
    auto fail = [&](std::size_t index, const std::exception& e) { finish_file(index, FileStatus::Failed, e.what()); };

    while (input_open || !pending.empty()) {
      // Gather work: block only when there is nothing at all to do.
      while (input_open && waiting_faces < max_batch) {
        std::optional<Decoded> item = (pending.empty()) ? in.pop() : in.try_pop();
        if (!item) {
          if (pending.empty()) input_open = false;  // pop() returned nothing: closed and drained
          break;
        }
        const std::size_t index = item->index;
        const auto t = Clock::now();
        try {
          ComputeJob job = prepare(std::move(*item));
          job.seconds += since(t);
          busy += since(t);
          if (needs_model(job)) {
            waiting_faces += job.photo.inputs.size();
            pending.push_back(std::move(job));
          } else {
            const auto t2 = Clock::now();
            Finished f = complete(job);
            job.seconds += since(t2);
            busy += since(t2);
            record_compute(job);
            out.push(std::move(f));
          }
        } catch (const std::exception& e) {
          busy += since(t);
          fail(index, e);
        }
      }
      if (pending.empty()) continue;

      // One model call over up to max_batch faces, oldest photos first.
      std::vector<cv::Mat> batch;
      std::vector<std::pair<ComputeJob*, std::size_t>> owners;  // (job, face index)
      for (ComputeJob& job : pending) {
        while (job.next_face < job.photo.inputs.size() && batch.size() < max_batch) {
          batch.push_back(job.photo.inputs[job.next_face]);
          owners.emplace_back(&job, job.next_face++);
        }
        if (batch.size() >= max_batch) break;
      }
      const auto t = Clock::now();
      std::vector<cv::Mat> restored;
      std::string error;
      try {
        restored = engine->enhancer->enhance(batch);
      } catch (const std::exception& e) {
        error = e.what();
      }
      const double model_s = since(t);
      busy += model_s;
      {
        std::lock_guard<std::mutex> lock(report_mutex);
        ++report.model_calls;
      }
      waiting_faces -= batch.size();
      for (std::size_t k = 0; k < owners.size(); ++k) {
        ComputeJob* job = owners[k].first;
        job->seconds += model_s / static_cast<double>(batch.size());
        if (!error.empty()) continue;
        if (job->photo.restored.size() < job->photo.inputs.size()) job->photo.restored.resize(job->photo.inputs.size());
        job->photo.restored[owners[k].second] = restored[k];
      }
      if (!error.empty()) {
        // The whole batch failed: fail every photo that had a face in it.
        std::set<ComputeJob*> hit;
        for (auto& o : owners) hit.insert(o.first);
        for (auto it = pending.begin(); it != pending.end();) {
          if (hit.count(&*it)) {
            waiting_faces -= it->photo.inputs.size() - it->next_face;
            finish_file(it->index, FileStatus::Failed, error);
            it = pending.erase(it);
          } else {
            ++it;
          }
        }
        continue;
      }
      // Photos whose faces are all back: paste and hand to the writers.
      while (!pending.empty() && pending.front().next_face == pending.front().photo.inputs.size()) {
        ComputeJob job = std::move(pending.front());
        pending.pop_front();
        const auto t2 = Clock::now();
        try {
          Finished f = complete(job);
          job.seconds += since(t2);
          busy += since(t2);
          record_compute(job);
          out.push(std::move(f));
        } catch (const std::exception& e) {
          busy += since(t2);
          fail(job.index, e);
        }
      }
    }
    std::lock_guard<std::mutex> lock(report_mutex);
    report.compute_busy_s = busy;
  }

  void record_compute(const ComputeJob& job) {
    std::lock_guard<std::mutex> lock(report_mutex);
    report.files[job.index].compute_s = job.seconds;
  }

  void write_stage(detail::BoundedQueue<Finished>& in) {
    while (std::optional<Finished> item = in.pop()) {
      const auto t = Clock::now();
      const PlannedFile& file = plan[item->index];
      try {
        const fs::path out(file.output);
        if (out.has_parent_path()) fs::create_directories(out.parent_path());
        write_image(file.output, item->image.view(), options.quality);
        if (options.save_faces) save_faces(file, item->faces);
        const double s = since(t);
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          FileReport& f = report.files[item->index];
          f.write_s = s;
          f.width = item->image.width();
          f.height = item->image.height();
          f.faces.clear();
          for (const FaceResult& face : item->faces) {
            FaceResult kept;
            kept.detection = face.detection;
            kept.affine = face.affine;
            f.faces.push_back(std::move(kept));
          }
          report.write_busy_s += s;
        }
        finish_file(item->index, FileStatus::Restored);
      } catch (const std::exception& e) {
        {
          std::lock_guard<std::mutex> lock(report_mutex);
          report.write_busy_s += since(t);
        }
        finish_file(item->index, FileStatus::Failed, e.what());
      }
    }
  }

  void save_faces(const PlannedFile& file, const std::vector<FaceResult>& faces) const {
    if (faces.empty()) return;
    const fs::path dir = fs::path(options.output_dir) / "faces";
    fs::create_directories(dir);
    const std::string stem = fs::path(file.output).stem().string();
    for (std::size_t i = 0; i < faces.size(); ++i) {
      const std::string base = (dir / (stem + "_" + std::to_string(i))).string();
      write_image(base + "_aligned.png", faces[i].aligned.view());
      if (!faces[i].restored.empty()) write_image(base + "_restored.png", faces[i].restored.view());
    }
  }
};

BatchProcessor::BatchProcessor(const Restorer& restorer, BatchOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.readers < 1 || options.readers > 64) {
    throw Error(ErrorCode::InvalidArgument, "readers must be 1-64, got " + std::to_string(options.readers));
  }
  if (options.writers < 1 || options.writers > 64) {
    throw Error(ErrorCode::InvalidArgument, "writers must be 1-64, got " + std::to_string(options.writers));
  }
  if (options.queue_capacity < 1 || options.queue_capacity > 1024) {
    throw Error(ErrorCode::InvalidArgument,
                "queue_capacity must be 1-1024, got " + std::to_string(options.queue_capacity));
  }
  if (options.quality < 1 || options.quality > 100) {
    throw Error(ErrorCode::InvalidArgument, "quality must be 1-100, got " + std::to_string(options.quality));
  }
  impl_->restorer = &restorer;
  impl_->engine = restorer.impl_.get();
  impl_->options = std::move(options);
}

BatchProcessor::~BatchProcessor() = default;

void BatchProcessor::cancel() { impl_->cancelled = true; }

BatchReport BatchProcessor::run(const std::vector<std::string>& inputs, const RestoreParams& params,
                                const BatchProgressCallback& progress) {
  params.validate();
  Impl& s = *impl_;
  if (s.running.exchange(true)) throw Error(ErrorCode::InvalidArgument, "this BatchProcessor is already running");
  struct Running {
    std::atomic<bool>& flag;
    ~Running() { flag = false; }
  } running{s.running};

  s.plan = plan_batch(inputs, s.options);
  s.params = params;
  s.progress = &progress;
  s.report = BatchReport();
  s.done = 0;
  s.start = Clock::now();
  s.report.files.resize(s.plan.size());
  for (std::size_t i = 0; i < s.plan.size(); ++i) {
    s.report.files[i].input = s.plan[i].input;
    s.report.files[i].output = s.plan[i].output;
  }
  remove_stale_temporaries(s.plan);
  if (s.options.skip_existing) {
    for (std::size_t i = 0; i < s.plan.size(); ++i) {
      std::error_code ec;
      if (fs::exists(s.plan[i].output, ec)) s.finish_file(i, FileStatus::Skipped);
    }
  }

  detail::BoundedQueue<Decoded> decoded(static_cast<std::size_t>(s.options.queue_capacity));
  detail::BoundedQueue<Finished> finished(static_cast<std::size_t>(s.options.queue_capacity));
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
  return report;
}

}  // namespace gpen
