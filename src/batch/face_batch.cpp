#include "batch/face_batch.hpp"

#include "model/torch_errors.hpp"

namespace gpen::detail {

std::vector<FaceSlot> take_next_faces(const std::vector<JobFaces>& jobs, std::size_t max_batch) {
  std::vector<FaceSlot> slots;
  if (jobs.empty()) return slots;
  const bool on_device = jobs.front().job->on_device();
  for (std::size_t j = 0; j < jobs.size() && slots.size() < max_batch; ++j) {
    const PhotoJob& job = *jobs[j].job;
    if (job.on_device() != on_device) break;
    for (std::size_t& next = *jobs[j].next_face; next < job.face_count() && slots.size() < max_batch;) {
      slots.push_back({j, next++});
    }
  }
  return slots;
}

void restore_faces(const RestoreEngine& engine, const DeviceStreamScope& stream, const std::vector<JobFaces>& jobs,
                   const std::vector<FaceSlot>& slots) {
  if (slots.empty()) return;
  if (jobs[slots.front().job].job->on_device()) {
    std::vector<torch::Tensor> batch;
    for (const FaceSlot& s : slots) batch.push_back(jobs[s.job].job->device_inputs[static_cast<int64_t>(s.face)]);
    const std::vector<torch::Tensor> restored = with_torch_errors("model", [&] {
      const torch::Tensor out = engine.enhance(torch::stack(batch));
      stream.synchronize();  // done before another thread's stream reads it
      return out.unbind(0);
    });
    for (std::size_t k = 0; k < slots.size(); ++k) {
      PhotoJob& job = *jobs[slots[k].job].job;
      job.device_restored.resize(job.face_count());
      job.device_restored[slots[k].face] = restored[k];
    }
  } else {
    std::vector<cv::Mat> batch;
    for (const FaceSlot& s : slots) batch.push_back(jobs[s.job].job->inputs[s.face]);
    const std::vector<cv::Mat> restored = engine.enhance(batch);
    for (std::size_t k = 0; k < slots.size(); ++k) {
      PhotoJob& job = *jobs[slots[k].job].job;
      job.restored.resize(job.face_count());
      job.restored[slots[k].face] = restored[k];
    }
  }
}

}  // namespace gpen::detail
