#pragma once
// One model call over the faces of several photo jobs: the batch engine gathers the faces of many
// photos this way, and restore_video those of consecutive frames, so that photos or frames with
// one or two faces still fill the model's batch.

#include <cstddef>
#include <vector>

#include "device/cuda_support.hpp"
#include "photo/photo_job.hpp"
#include "restorer/restore_engine.hpp"

namespace gpen::detail {

/// A job whose faces [0, *next_face) have been sent to the model.
struct JobFaces {
  PhotoJob* job;
  std::size_t* next_face;
};

/// Where each face of a model call came from: jobs[job], face number `face`.
struct FaceSlot {
  std::size_t job;
  std::size_t face;
};

/// Takes the next faces of `jobs`, in order, up to `max_batch`, all of one kind (host crops or
/// device tensors: the kind of the first job), advancing each job's next_face. Returns them in
/// batch order (empty when no job has faces left).
std::vector<FaceSlot> take_next_faces(const std::vector<JobFaces>& jobs, std::size_t max_batch);

/// Runs the model once on `slots` (from take_next_faces over the same jobs) and stores each
/// result in its job (`restored` or `device_restored`). Device results are complete before this
/// returns (`stream` synchronized). Throws what the model throws (nothing is stored then).
void restore_faces(const RestoreEngine& engine, const DeviceStreamScope& stream, const std::vector<JobFaces>& jobs,
                   const std::vector<FaceSlot>& slots);

}  // namespace gpen::detail
