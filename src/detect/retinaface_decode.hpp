#pragma once
// RetinaFace post-processing: priors, box/landmark decoding, score threshold, NMS.

#include <array>
#include <vector>

#include "gpen/face.hpp"

namespace gpen::detail {

struct Prior {
  float cx, cy, w, h;  ///< normalised to the input width/height
};

struct RetinaFaceConfig {
  std::vector<std::vector<int>> min_sizes{{16, 32}, {64, 128}, {256, 512}};
  std::vector<int> steps{8, 16, 32};
  float variance_center = 0.1f;
  float variance_size = 0.2f;
};

/// Priors for an input of height x width: for each step, a ceil(H/step) x ceil(W/step) grid,
/// cell-major, one prior per min size, centred at (j+0.5)*step/W, (i+0.5)*step/H.
std::vector<Prior> retinaface_priors(int height, int width, const RetinaFaceConfig& config);

/// Greedy non-maximum suppression; returns kept indices, highest score first.
std::vector<int> non_max_suppression(const std::vector<Box>& boxes, const std::vector<float>& scores,
                                     float iou_threshold);

/// Decodes raw outputs (per prior: loc[4], conf[2] softmaxed, landms[10]) into faces in input
/// pixel coordinates, keeping scores >= threshold, after NMS at `iou_threshold`.
std::vector<DetectedFace> decode_retinaface(const float* loc, const float* conf,
                                            const float* landms, const std::vector<Prior>& priors,
                                            int width, int height, const RetinaFaceConfig& config,
                                            float score_threshold, float iou_threshold);

}  // namespace gpen::detail
