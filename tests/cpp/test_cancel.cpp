// Callbacks in params: should_stop asked inline between the steps of a single restore and of a
// batch run (no watcher thread), progress in BatchOptions.

#include <atomic>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include "fake_detector.hpp"
#include "gpen/batch.hpp"
#include "gpen/io.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

gpen::RestorerOptions small_batches() {
  gpen::RestorerOptions o;
  o.model_path = test::model("random-64.pt");
  o.max_batch = 1;  // one face per model call: should_stop is asked between faces
  return o;
}

std::vector<gpen::DetectedFace> three_faces() {
  return {test::face_at(10, 10, 0.3f), test::face_at(200, 10, 0.3f), test::face_at(100, 150, 0.3f)};
}

}  // namespace

TEST_CASE("cancel: should_stop ends a single restore with Cancelled, asked between faces") {
  if (!test::available(test::model("random-64.pt"))) return;
  const gpen::Restorer r(small_batches(), std::make_unique<test::FakeDetector>(three_faces()));
  const cv::Mat photo = test::smooth_pattern(400, 320, 7);
  const gpen::Result plain = r.restore(test::view_of(photo));

  gpen::RestoreParams p;
  int asked = 0;
  p.should_stop = [&] { return ++asked >= 3; };  // before detection, first face, then stop
  CHECK_GPEN_ERROR(r.restore(test::view_of(photo), p), gpen::ErrorCode::Cancelled, "cancelled");
  CHECK(asked == 3);

  p.should_stop = [&] { return false; };
  const gpen::Result same = r.restore(test::view_of(photo), p);
  CHECK(test::max_abs_diff(test::mat_of(same.image), test::mat_of(plain.image)) == 0.0);

  asked = 0;
  p.should_stop = [&] { return ++asked > 100; };
  r.restore(test::view_of(photo), p);
  CHECK(asked == 1 + 3 + 1);  // prepare, one per model batch (3 faces, batch 1), finish
}

TEST_CASE("cancel: BatchOptions::should_stop stops taking files; progress from BatchOptions") {
  if (!test::available(test::model("random-64.pt"))) return;
  const std::string dir = test::temp_dir("batch-should-stop");
  fs::create_directories(dir + "/in");
  for (int i = 0; i < 20; ++i) {
    REQUIRE(cv::imwrite(dir + "/in/f" + std::to_string(100 + i) + ".png", test::smooth_pattern(64, 64, i)));
  }
  const gpen::Restorer restorer(small_batches());
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.aligned = true;
  o.readers = 1;
  o.queue_capacity = 2;
  std::atomic<int> done{0};
  o.progress = [&](const gpen::BatchProgress&) { ++done; };
  o.should_stop = [&] { return done.load() >= 3; };
  gpen::BatchProcessor processor(restorer, o);
  const gpen::BatchReport r = processor.run({dir + "/in"}, {});
  CHECK(r.was_cancelled);
  CHECK(r.cancelled > 0);
  CHECK(r.restored >= 3);
  CHECK(r.restored + r.cancelled == 20);
  CHECK(done.load() == r.restored);  // progress after each finished file
  int outputs = 0;
  for (const auto& e : fs::directory_iterator(dir + "/out")) {
    CHECK(e.path().filename().string()[0] != '.');
    ++outputs;
  }
  CHECK(outputs == r.restored);
}
