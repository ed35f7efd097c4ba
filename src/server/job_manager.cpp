#include "server/job_manager.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "gpen/batch.hpp"
#include "gpen/error.hpp"
#include "gpen/io.hpp"
#include "gpen/version.hpp"
#include "gpen/video.hpp"
#include "server/api_error.hpp"

namespace gpen::server {
namespace fs = std::filesystem;
using json::Json;

struct JobManager::Job {
  struct File {
    std::string name;  // relative to inputs/
    std::string state = "queued";  // queued, done, failed, cancelled
    std::string error;
    std::size_t faces = 0;
    std::int64_t frames_done = 0;   // videos: while and after restoring
    std::int64_t frames_total = 0;
    // Queued files are what the upload check let through: images by extension, the rest videos
    // (recognised by content).
    bool is_video() const { return !has_image_extension(name); }
  };
  std::string id;
  std::string state = "queued";  // queued, running, done, failed, cancelled
  std::string error;
  double created = 0.0;   // seconds since the epoch
  double finished_at = 0.0;  // when it ended (done, failed, cancelled); 0 while it has not
  std::vector<std::pair<std::string, std::string>> fields;
  RestoreRequest request;
  std::vector<File> files;
  long long faces = 0;
  double eta_s = 0.0;
  std::uint64_t version = 1;
  std::atomic<bool> cancel_requested{false};
  BatchProcessor* processor = nullptr;  // while running

  fs::path dir;
  bool finished() const { return state == "done" || state == "failed" || state == "cancelled"; }
};

namespace {

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string new_job_id() {
  static std::mutex mutex;
  static std::random_device device;
  static std::mt19937_64 rng(device());
  std::lock_guard<std::mutex> lock(mutex);
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return id;
}

bool is_job_id(const std::string& name) {
  return name.size() == 16 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Gives each upload a distinct relative name whose output (same path, another extension) is
// distinct too: "a.jpg", "a.png" -> "a.jpg", "a-2.png".
class UniqueNames {
 public:
  std::string take(const fs::path& relative) {
    const fs::path parent = relative.parent_path();
    const std::string stem = relative.stem().string();
    const std::string ext = relative.extension().string();
    for (int n = 1;; ++n) {
      const std::string candidate_stem = n == 1 ? stem : stem + "-" + std::to_string(n);
      const std::string key = lower((parent / candidate_stem).string());
      if (stems_.insert(key).second) return (parent / (candidate_stem + ext)).string();
    }
  }

 private:
  std::set<std::string> stems_;
};

// A browser's file name as a plain base name (no folders, no control characters, not hidden).
std::string clean_upload_name(const std::string& sent, std::size_t index) {
  std::string name = sent.substr(sent.find_last_of("/\\") == std::string::npos ? 0 : sent.find_last_of("/\\") + 1);
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "image-" + std::to_string(index + 1);
  if (name[0] == '.') name = "_" + name.substr(1);
  return name;
}

bool is_zip_upload(const UploadedFile& f) {
  return lower(fs::path(f.name).extension().string()) == ".zip";
}

void write_text_atomically(const fs::path& path, const std::string& text) {
  write_file_atomically(path.string(), text.data(), text.size());
}

// Temporary files of atomic writes (".NAME.tmp-XXXXXX") and of libzip ("result.zip.XXXXXX")
// that a killed process left behind.
void remove_temporaries(const fs::path& job_dir) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::recursive_directory_iterator(job_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file(ec)) continue;
    const bool atomic_temp = name[0] == '.' && name.find(".tmp-") != std::string::npos;
    const bool zip_temp = name.rfind("result.zip.", 0) == 0;
    if (atomic_temp || zip_temp) stale.push_back(it->path());
  }
  for (const fs::path& p : stale) fs::remove(p, ec);
}

}  // namespace

JobManager::JobManager(std::string jobs_dir, ModelRegistry& models, ZipLimits limits, double keep_hours,
                       std::function<void(long long, double)> on_work)
    : dir_(std::move(jobs_dir)), models_(models), limits_(limits), keep_hours_(keep_hours), on_work_(std::move(on_work)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (!fs::is_directory(dir_, ec)) {
    throw Error(ErrorCode::InvalidArgument, "cannot create the jobs directory " + dir_);
  }
  load_existing();
  remove_expired();
  worker_ = std::thread([this] { run_worker(); });
}

JobManager::~JobManager() { shutdown(); }

void JobManager::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) {
      if (job->processor != nullptr) job->processor->cancel();
    }
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

int JobManager::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  int n = 0;
  for (const auto& [id, job] : jobs_) n += job->finished() ? 0 : 1;
  return n;
}

std::shared_ptr<JobManager::Job> JobManager::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) throw ApiError(404, "unknown-job", "no job with id '" + id + "'");
  return it->second;
}

std::string JobManager::submit(const std::vector<UploadedFile>& uploads,
                               const std::vector<std::pair<std::string, std::string>>& fields) {
  auto job = std::make_shared<Job>();
  job->request = parse_restore_request(fields);
  if (job->request.json_response) throw ApiError(400, "bad-parameter", "response is not a job parameter");
  job->fields = fields;
  if (uploads.empty()) {
    throw ApiError(400, "no-images", "a job needs image files, videos or a zip in multipart field 'image'");
  }
  job->id = new_job_id();
  job->created = now_epoch();
  const fs::path incoming = fs::path(dir_) / (".incoming-" + job->id);
  const fs::path inputs = incoming / "inputs";
  std::error_code ec;
  try {
    fs::create_directories(inputs);
    UniqueNames names;
    int images = 0;
    for (std::size_t i = 0; i < uploads.size(); ++i) {
      const UploadedFile& upload = uploads[i];
      if (is_zip_upload(upload)) {
        const auto unpacked = unpack_images(upload.content, inputs.string(), limits_, [&](const std::string& entry) {
          for (const auto& part : fs::path(entry)) {
            const std::string p = part.string();
            if (p.empty() || p[0] == '.' || p == "__MACOSX") return std::string();  // hidden, Mac metadata
          }
          return names.take(fs::path(entry));
        });
        for (const std::string& name : unpacked) job->files.push_back({name, "queued", "", 0});
        images += static_cast<int>(unpacked.size());
      } else {
        const std::string name = names.take(clean_upload_name(upload.name, i));
        {
          std::ofstream out(inputs / name, std::ios::binary);
          out.write(upload.content.data(), static_cast<std::streamsize>(upload.content.size()));
          if (!out) throw Error(ErrorCode::EncodeFailed, "cannot store the upload " + name);
        }
        if (!has_image_extension(name) && !is_video_file((inputs / name).string())) {
          fs::remove(inputs / name, ec);
          job->files.push_back({name, "failed", "not an image file type (jpg, jpeg, png, webp, bmp, tif, tiff) "
                                "and not a video FFmpeg can read", 0});
          continue;
        }
        job->files.push_back({name, "queued", "", 0});
        ++images;
      }
      if (static_cast<int>(job->files.size()) > limits_.max_files) {
        throw ApiError(400, "too-many-files", "a job takes at most " + std::to_string(limits_.max_files) +
                                                  " images (the server's --max-job-files)");
      }
    }
    if (images == 0) {
      throw ApiError(400, "no-images", "the upload holds no image files (jpg, jpeg, png, webp, bmp, tif, tiff) or videos");
    }
    std::sort(job->files.begin(), job->files.end(), [](const Job::File& a, const Job::File& b) { return a.name < b.name; });
    job->dir = incoming;  // saved in the incoming folder, then the folder is renamed into place
    save(*job);
    job->dir = fs::path(dir_) / job->id;
    fs::rename(incoming, job->dir);
  } catch (...) {
    fs::remove_all(incoming, ec);
    throw;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_[job->id] = job;
    queue_.push_back(job->id);
  }
  changed_.notify_all();
  return job->id;
}

void JobManager::save(Job& job) const {
  if (job.finished() && job.finished_at == 0.0) job.finished_at = now_epoch();
  Json files = Json::array();
  for (const Job::File& f : job.files) {
    Json file = {{"name", f.name}, {"state", f.state}};
    if (!f.error.empty()) file["error"] = f.error;
    files.push_back(file);
  }
  Json fields = Json::array();
  for (const auto& [name, value] : job.fields) fields.push_back({name, value});
  const Json j = {{"id", job.id},           {"state", job.state},   {"error", job.error},
                  {"created", job.created}, {"finished", job.finished_at}, {"fields", fields},
                  {"files", files}};
  write_text_atomically(job.dir / "job.json", json::dump(j, 1) + "\n");
}

void JobManager::load_existing() {
  std::error_code ec;
  std::vector<std::shared_ptr<Job>> resumed;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(".incoming-", 0) == 0) {  // an upload cut short
      fs::remove_all(entry.path(), ec);
      continue;
    }
    if (!is_job_id(name) || !entry.is_directory(ec)) continue;
    auto job = std::make_shared<Job>();
    job->id = name;
    job->dir = entry.path();
    try {
      std::ifstream in(entry.path() / "job.json");
      const Json j = Json::parse(in);
      job->state = j.at("state").get<std::string>();
      job->error = j.value("error", "");
      job->created = j.value("created", 0.0);
      job->finished_at = j.value("finished", 0.0);
      for (const Json& f : j.at("fields")) job->fields.emplace_back(f.at(0).get<std::string>(), f.at(1).get<std::string>());
      for (const Json& f : j.at("files")) {
        job->files.push_back({f.at("name").get<std::string>(), f.value("state", "queued"), f.value("error", ""), 0});
      }
      job->request = parse_restore_request(job->fields);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gpen-server: ignoring job folder %s: unreadable job.json (%s)\n", name.c_str(), e.what());
      continue;
    }
    remove_temporaries(job->dir);
    if (!job->finished()) {
      job->state = "queued";
      for (Job::File& f : job->files) {
        if (f.state != "failed") f.state = "queued";
      }
      resumed.push_back(job);
    }
    jobs_[job->id] = job;
  }
  std::sort(resumed.begin(), resumed.end(), [](const auto& a, const auto& b) { return a->created < b->created; });
  for (const auto& job : resumed) {
    std::fprintf(stderr, "gpen-server: resuming job %s (%zu files)\n", job->id.c_str(), job->files.size());
    queue_.push_back(job->id);
  }
}

void JobManager::remove_expired() {
  if (keep_hours_ <= 0.0) return;
  const double cutoff = now_epoch() - keep_hours_ * 3600.0;
  std::vector<fs::path> expired;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      const Job& job = *it->second;
      if (job.finished() && job.finished_at > 0.0 && job.finished_at < cutoff) {
        expired.push_back(job.dir);
        it = jobs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::error_code ec;
  for (const fs::path& dir : expired) fs::remove_all(dir, ec);
}

void JobManager::notify(Job& job) {
  ++job.version;
  changed_.notify_all();
}

void JobManager::run_worker() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Idle: wake now and then to remove finished jobs past --keep-jobs-hours.
      if (!changed_.wait_for(lock, std::chrono::minutes(10), [&] { return stopping_ || !queue_.empty(); })) {
        lock.unlock();
        remove_expired();
        continue;
      }
      if (stopping_) return;
      const auto it = jobs_.find(queue_.front());
      queue_.pop_front();
      if (it == jobs_.end() || it->second->state != "queued") continue;
      job = it->second;
      job->state = "running";
      notify(*job);
    }
    try {
      save(*job);
      run_job(*job);
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      job->state = "failed";
      job->error = e.what();
      notify(*job);
    }
    try {
      if (job->finished()) save(*job);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gpen-server: job %s: %s\n", job->id.c_str(), e.what());
    }
    remove_expired();
  }
}

void JobManager::run_job(Job& job) {
  const std::shared_ptr<const Restorer> restorer = models_.current();
  const fs::path inputs = job.dir / "inputs";
  const fs::path outputs = job.dir / "outputs";
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < job.files.size(); ++i) index_of[job.files[i].name] = i;
  // Errors name a file as the client knows it, not where the server keeps it.
  auto client_error = [](std::string error, const std::string& path, const std::string& name) {
    for (std::size_t at; (at = error.find(path)) != std::string::npos;) error.replace(at, path.size(), name);
    return error;
  };
  std::error_code ec;
  const bool has_images = std::any_of(job.files.begin(), job.files.end(), [&](const Job::File& f) {
    return !f.is_video() && fs::is_regular_file(inputs / f.name, ec);
  });

  BatchOptions options;
  options.output_dir = outputs.string();
  options.recursive = true;
  options.skip_existing = true;  // a resumed job keeps what it finished
  options.format = job.request.format;
  options.quality = job.request.quality;
  options.compare = job.request.compare;
  options.should_stop = [&] { return job.cancel_requested.load(); };
  BatchProcessor processor(*restorer, options);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    job.processor = &processor;
  }
  // A file's outcome, by its name relative to inputs/ (called with mutex_ held).
  auto record = [&](const FileReport& f) {
    const auto it = index_of.find(fs::path(f.input).lexically_relative(inputs).string());
    if (it == index_of.end()) return;
    Job::File& file = job.files[it->second];
    file.state = f.status == FileStatus::Failed ? "failed" : f.status == FileStatus::Cancelled ? "cancelled" : "done";
    file.error = client_error(f.error, f.input, file.name);
    file.faces = f.faces.size();
  };
  const auto started = std::chrono::steady_clock::now();
  BatchReport report;
  if (has_images) {
    report = processor.run({inputs.string()}, job.request.params, [&](const BatchProgress& p) {
      std::lock_guard<std::mutex> lock(mutex_);
      record(*p.file);
      job.faces = p.faces;
      job.eta_s = p.eta_s;
      notify(job);
    });
  }
  bool interrupted = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job.processor = nullptr;
    for (const FileReport& f : report.files) record(f);
    interrupted = stopping_ && !job.cancel_requested;
  }
  if (on_work_) on_work_(report.faces, report.compute_busy_s);

  // Videos, one after the other, after the images: each restored into outputs/<stem>.mp4 (H.264,
  // which every browser plays), resumable (a server stopped mid-video goes on from its last
  // complete segment), cancelled between frames.
  Json videos = Json::array();
  std::vector<std::pair<std::string, std::string>> entries;
  for (Job::File& file : job.files) {
    if (interrupted || !file.is_video() || file.state == "failed" || job.cancel_requested) continue;
    const fs::path input = inputs / file.name;
    const std::string output_name = fs::path(file.name).replace_extension(".mp4").string();
    const fs::path output = outputs / output_name;
    if (fs::is_regular_file(output, ec)) {  // finished before a restart: written atomically, complete
      std::lock_guard<std::mutex> lock(mutex_);
      file.state = "done";
      videos.push_back(json::video_report_json(file.name, output_name, "skipped", "", VideoReport()));
      entries.emplace_back(output_name, output.string());
      continue;
    }
    VideoOptions video;
    video.resume = true;
    video.progress = [&](const VideoProgress& p) {
      std::lock_guard<std::mutex> lock(mutex_);
      file.frames_done = p.frames_done;
      file.frames_total = p.frames_total;
      job.eta_s = p.eta_s;
      notify(job);
    };
    RestoreParams params = job.request.params;
    params.should_stop = [&] {
      std::lock_guard<std::mutex> lock(mutex_);
      return stopping_ || job.cancel_requested.load();
    };
    fs::create_directories(outputs, ec);
    const auto t = std::chrono::steady_clock::now();
    try {
      const VideoReport r = restore_video(*restorer, input.string(), output.string(), params, video);
      std::lock_guard<std::mutex> lock(mutex_);
      file.state = "done";
      file.faces = static_cast<std::size_t>(r.faces);
      file.frames_done = r.frames;
      job.faces += r.faces;
      videos.push_back(json::video_report_json(file.name, output_name, "restored", "", r));
      entries.emplace_back(output_name, output.string());
      notify(job);
      if (on_work_) on_work_(r.faces, r.compute_s);
    } catch (const Error& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (e.code() == ErrorCode::Cancelled) {
        interrupted = stopping_ && !job.cancel_requested;
        file.state = "cancelled";
        continue;
      }
      file.state = "failed";
      file.error = client_error(e.what(), input.string(), file.name);
      VideoReport failed;
      failed.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      videos.push_back(json::video_report_json(file.name, output_name, "failed", file.error, failed));
      notify(job);
    }
  }
  for (Job::File& file : job.files) {  // videos not reached: the job was cancelled or stopped
    std::lock_guard<std::mutex> lock(mutex_);
    if (file.is_video() && file.state == "queued" && (interrupted || job.cancel_requested)) file.state = "cancelled";
  }
  if (interrupted) {  // checkpoint: resumes at the next start
    std::lock_guard<std::mutex> lock(mutex_);
    job.state = "queued";
    for (Job::File& f : job.files) {
      if (f.state == "cancelled") f.state = "queued";
    }
    return;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // The report and the zip of everything written (with compare, outputs/compare/... too).
  Json files = Json::array();
  std::set<std::string> reported;
  for (const FileReport& f : report.files) {
    Json file = json::file_report_json(f);
    const std::string input = fs::path(f.input).lexically_relative(inputs).string();
    const std::string output = fs::path(f.output).lexically_relative(outputs).string();
    file["input"] = input;
    file["output"] = output;
    files.push_back(file);
    reported.insert(input);
    if (f.status != FileStatus::Restored && f.status != FileStatus::Skipped) continue;
    if (fs::is_regular_file(f.output, ec)) entries.emplace_back(output, f.output);
    const fs::path comparison = outputs / "compare" / output;
    if (options.compare && fs::is_regular_file(comparison, ec)) {
      entries.emplace_back("compare/" + output, comparison.string());
    }
  }
  for (const Job::File& f : job.files) {  // refused at upload: not in the engine's report
    if (f.state == "failed" && !reported.count(f.name) && !(f.is_video() && fs::exists(inputs / f.name, ec))) {
      files.push_back({{"input", f.name}, {"status", "failed"}, {"error", f.error}});
    }
  }
  const ModelInfo& model = restorer->model();
  const Json report_json = {{"gpen_version", version()},
                            {"job", job.id},
                            {"model", json::model_json(model)},
                            {"params", json::params_json(job.request.params)},
                            {"format", job.request.format},
                            {"images", files},
                            {"videos", videos},
                            {"summary", json::batch_summary_json(report)},
                            {"seconds", seconds}};
  write_text_atomically(job.dir / "report.json", json::dump(report_json, 1) + "\n");
  entries.emplace_back("report.json", (job.dir / "report.json").string());
  pack_files((job.dir / "result.zip").string(), entries);

  std::lock_guard<std::mutex> lock(mutex_);
  job.state = job.cancel_requested ? "cancelled" : "done";
  job.eta_s = 0.0;
  notify(job);
}

Json JobManager::status_json(const Job& job) const {
  int done = 0;
  int failed = 0;
  Json files = Json::array();
  for (const Job::File& f : job.files) {
    done += f.state == "done" || f.state == "failed" ? 1 : 0;
    failed += f.state == "failed" ? 1 : 0;
    Json file = {{"name", f.name}, {"state", f.state}};
    if (!f.error.empty()) file["error"] = f.error;
    if (f.state == "done") file["faces"] = f.faces;
    if (f.is_video() && f.state != "failed") {
      file["kind"] = "video";
      file["frames_done"] = f.frames_done;
      file["frames_total"] = f.frames_total;
    }
    files.push_back(file);
  }
  Json j = {{"id", job.id},       {"state", job.state}, {"total", job.files.size()}, {"done", done},
            {"failed", failed},   {"faces", job.faces}, {"eta_s", job.eta_s},         {"created", job.created},
            {"files", files}};
  if (!job.error.empty()) j["error"] = job.error;
  if (job.finished() && job.state != "failed") j["result"] = "/v1/jobs/" + job.id + "/result.zip";
  return j;
}

Json JobManager::status(const std::string& id) const {
  const auto job = find(id);
  std::lock_guard<std::mutex> lock(mutex_);
  return status_json(*job);
}

Json JobManager::wait_for_change(const std::string& id, std::uint64_t& version, std::chrono::milliseconds timeout,
                                 bool* finished) const {
  const auto job = find(id);
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return job->version != version || stopping_; });
  version = job->version;
  *finished = job->finished() || stopping_;
  return status_json(*job);
}

std::string JobManager::result_zip(const std::string& id) const {
  const auto job = find(id);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!job->finished() || job->state == "failed") {
    throw ApiError(409, "not-ready", "job " + id + " is " + job->state + "; its result.zip exists once it is done");
  }
  return (job->dir / "result.zip").string();
}

std::string JobManager::cancel_or_remove(const std::string& id) {
  const auto job = find(id);
  std::unique_lock<std::mutex> lock(mutex_);
  if (job->finished()) {
    jobs_.erase(id);
    lock.unlock();
    std::error_code ec;
    fs::remove_all(job->dir, ec);
    return "removed";
  }
  job->cancel_requested = true;
  if (job->state == "queued") {
    job->state = "cancelled";
    for (Job::File& f : job->files) {
      if (f.state == "queued") f.state = "cancelled";
    }
    notify(*job);
    lock.unlock();
    save(*job);
    return "cancelled";
  }
  if (job->processor != nullptr) job->processor->cancel();
  notify(*job);
  return "cancelling";
}

}  // namespace gpen::server
