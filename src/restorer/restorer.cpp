#include "gpen/restorer.hpp"

#include "device/cuda_support.hpp"
#include "model/torch_errors.hpp"
#include "restorer/restore_engine.hpp"

namespace gpen {

struct Restorer::Impl {
  explicit Impl(const RestorerOptions& options, std::unique_ptr<FaceDetector> detector)
      : engine(options, std::move(detector)) {}
  detail::RestoreEngine engine;
};

Restorer::Restorer(const RestorerOptions& options) : Restorer(options, nullptr) {}

Restorer::Restorer(const RestorerOptions& options, std::unique_ptr<FaceDetector> detector)
    : impl_(std::make_unique<Impl>(options, std::move(detector))) {}

Restorer::~Restorer() = default;
Restorer::Restorer(Restorer&&) noexcept = default;
Restorer& Restorer::operator=(Restorer&&) noexcept = default;

const detail::RestoreEngine& Restorer::engine() const { return impl_->engine; }
bool Restorer::has_model() const { return engine().has_model(); }
const ModelInfo& Restorer::model() const { return engine().model(); }
const RestorerOptions& Restorer::options() const { return engine().options(); }
MemoryStats Restorer::memory_stats() const { return detail::device_memory_stats(engine().device()); }

std::vector<DetectedFace> Restorer::detect(const ImageView& photo, const RestoreParams& params) const {
  return engine().detect(photo, params);
}

namespace {

// A whole photo's three phases; `faces` null: detected.
Result restore_photo(const detail::RestoreEngine& e, const ImageView& photo, const RestoreParams& params,
                     const std::vector<DetectedFace>* faces) {
  const detail::DeviceStreamScope stream(e.device());  // concurrent calls overlap on the GPU
  return detail::with_torch_errors("restoring a photo", [&] {
    detail::PhotoJob job = e.prepare(photo, params, /*aligned=*/false, /*keep_crops=*/true, "photo", faces);
    e.enhance(job, params);
    return e.finish(std::move(job), params);
  });
}

}  // namespace

Result Restorer::restore(const ImageView& photo, const RestoreParams& params) const {
  return restore_photo(engine(), photo, params, nullptr);
}

Result Restorer::restore(const ImageView& photo, const std::vector<DetectedFace>& faces,
                         const RestoreParams& params) const {
  return restore_photo(engine(), photo, params, &faces);
}

std::vector<Image> Restorer::restore_faces(const std::vector<ImageView>& aligned_faces,
                                           const RestoreParams& params) const {
  const detail::RestoreEngine& e = engine();
  std::vector<detail::PhotoJob> jobs;
  jobs.reserve(aligned_faces.size());
  std::vector<cv::Mat> inputs;  // every face in one model call (batched by max_batch inside)
  for (std::size_t i = 0; i < aligned_faces.size(); ++i) {
    jobs.push_back(e.prepare(aligned_faces[i], params, /*aligned=*/true, false, "aligned face #" + std::to_string(i)));
    if (jobs.back().needs_model(params)) inputs.push_back(jobs.back().inputs[0]);
  }
  const detail::DeviceStreamScope stream(e.device());
  const std::vector<cv::Mat> restored =
      detail::with_torch_errors("restoring aligned faces", [&] { return e.enhance(inputs); });
  std::vector<Image> results;
  results.reserve(jobs.size());
  std::size_t next = 0;
  for (detail::PhotoJob& job : jobs) {
    if (job.needs_model(params)) job.restored = {restored[next++]};
    results.push_back(std::move(e.finish(std::move(job), params).image));
  }
  return results;
}

Image Restorer::restore_face(const ImageView& aligned_face, const RestoreParams& params) const {
  return std::move(restore_faces({aligned_face}, params).front());
}

}  // namespace gpen
