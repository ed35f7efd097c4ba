#include "detect/retinaface_decode.hpp"

#include "core/detected_face.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gpen::detail {

std::vector<Prior> retinaface_priors(int height, int width, const RetinaFaceConfig& config) {
  std::vector<Prior> priors;
  for (std::size_t k = 0; k < config.steps.size(); ++k) {
    const int step = config.steps[k];
    const int rows = (height + step - 1) / step;
    const int cols = (width + step - 1) / step;
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) {
        for (int min_size : config.min_sizes[k]) {
          priors.push_back({(j + 0.5f) * step / width, (i + 0.5f) * step / height,
                            static_cast<float>(min_size) / width, static_cast<float>(min_size) / height});
        }
      }
    }
  }
  return priors;
}

namespace {

float iou(const Box& a, const Box& b) {
  const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  const float x1 = std::min(a.x + a.width, b.x + b.width), y1 = std::min(a.y + a.height, b.y + b.height);
  const float inter = std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
  const float uni = a.width * a.height + b.width * b.height - inter;
  return uni > 0.0f ? inter / uni : 0.0f;
}

}  // namespace

std::vector<int> non_max_suppression(const std::vector<Box>& boxes, const std::vector<float>& scores,
                                     float iou_threshold) {
  std::vector<int> order(boxes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  std::vector<int> keep;
  std::vector<bool> removed(boxes.size(), false);
  for (std::size_t a = 0; a < order.size(); ++a) {
    const int i = order[a];
    if (removed[i]) continue;
    keep.push_back(i);
    for (std::size_t b = a + 1; b < order.size(); ++b) {
      const int j = order[b];
      if (!removed[j] && iou(boxes[i], boxes[j]) > iou_threshold) removed[j] = true;
    }
  }
  return keep;
}

std::vector<DetectedFace> decode_retinaface(const float* loc, const float* conf,
                                            const float* landms, const std::vector<Prior>& priors,
                                            int width, int height, const RetinaFaceConfig& config,
                                            float score_threshold, float iou_threshold) {
  std::vector<DetectedFace> candidates;
  std::vector<Box> boxes;
  std::vector<float> scores;
  const float vc = config.variance_center, vs = config.variance_size;
  for (std::size_t p = 0; p < priors.size(); ++p) {
    const float score = conf[p * 2 + 1];
    if (!(score >= score_threshold)) continue;
    const Prior& pr = priors[p];
    const float* d = loc + p * 4;
    const float cx = pr.cx + d[0] * vc * pr.w;
    const float cy = pr.cy + d[1] * vc * pr.h;
    const float w = pr.w * std::exp(d[2] * vs);
    const float h = pr.h * std::exp(d[3] * vs);
    DetectedFace face;
    face.box = {(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height};
    face.score = score;
    const float* l = landms + p * 10;
    for (int k = 0; k < 5; ++k) {
      face.landmarks[k] = {(pr.cx + l[2 * k] * vc * pr.w) * width,
                           (pr.cy + l[2 * k + 1] * vc * pr.h) * height};
    }
    if (!is_usable(face)) continue;  // a broken model's inf/NaN never leaves the decoder
    candidates.push_back(face);
    boxes.push_back(face.box);
    scores.push_back(score);
  }
  std::vector<DetectedFace> kept;
  for (int i : non_max_suppression(boxes, scores, iou_threshold)) kept.push_back(candidates[i]);
  return kept;
}

}  // namespace gpen::detail
