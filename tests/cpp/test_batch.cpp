// The batch engine: planning, per-file errors, resume, progress, cancellation, batching.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <map>
#include <set>

#include "fake_detector.hpp"
#include "gpen/batch.hpp"
#include "gpen/io.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

void write_png(const std::string& path, const cv::Mat& m) {
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(cv::imwrite(path, m));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

gpen::RestorerOptions model_options(const std::string& name, int max_batch = 4) {
  gpen::RestorerOptions o;
  o.model_path = test::model(name);
  o.max_batch = max_batch;
  return o;
}

// A tree: in/a.png, in/b.jpg, in/sub/c.png, in/.hidden.png, in/notes.txt
std::string make_tree(const std::string& name) {
  const std::string dir = test::temp_dir(name);
  write_png(dir + "/in/a.png", test::smooth_pattern(64, 64, 1));
  REQUIRE(cv::imwrite(dir + "/in/b.jpg", test::smooth_pattern(64, 64, 2)));
  write_png(dir + "/in/sub/c.png", test::smooth_pattern(64, 64, 3));
  write_png(dir + "/in/.hidden.png", test::smooth_pattern(64, 64, 4));
  std::ofstream(dir + "/in/notes.txt") << "not an image";
  return dir;
}

}  // namespace

TEST_CASE("batch plan: directories are walked, filtered and mirrored") {
  const std::string dir = make_tree("plan");
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  auto plan = gpen::plan_batch({dir + "/in"}, o);
  REQUIRE(plan.size() == 2);  // top level only; hidden and .txt files skipped
  CHECK(plan[0].output == dir + "/out/a.png");
  CHECK(plan[1].output == dir + "/out/b.png");
  o.recursive = true;
  o.format = "jpg";
  plan = gpen::plan_batch({dir + "/in"}, o);
  REQUIRE(plan.size() == 3);
  CHECK(plan[2].input == dir + "/in/sub/c.png");
  CHECK(plan[2].output == dir + "/out/sub/c.jpg");
  o.extensions = {"JPG"};
  CHECK(gpen::plan_batch({dir + "/in"}, o).size() == 1);
}

TEST_CASE("batch plan: collisions, overwriting inputs and empty plans are refused") {
  const std::string dir = make_tree("plan-bad");
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  write_png(dir + "/other/a.png", test::smooth_pattern(64, 64, 5));
  CHECK_GPEN_ERROR(gpen::plan_batch({dir + "/in/a.png", dir + "/other/a.png"}, o),
                   gpen::ErrorCode::InvalidArgument, "would both be written to " + dir + "/out/a.png");
  o.output_dir = dir + "/in";
  CHECK_GPEN_ERROR(gpen::plan_batch({dir + "/in/a.png"}, o), gpen::ErrorCode::InvalidArgument,
                   "would overwrite an input");
  o.output_dir = dir + "/out";
  fs::create_directories(dir + "/empty");
  CHECK_GPEN_ERROR(gpen::plan_batch({dir + "/empty"}, o), gpen::ErrorCode::InvalidArgument, "no input images found");
  o.format = "gif";
  CHECK_GPEN_ERROR(gpen::plan_batch({dir + "/in"}, o), gpen::ErrorCode::InvalidArgument,
                   "format must be png, jpg or webp");
  o.format = "png";
  o.output_dir = dir + "/in";
  CHECK_GPEN_ERROR(gpen::plan_batch({dir + "/in"}, o), gpen::ErrorCode::InvalidArgument,
                   "is the output directory");
}

TEST_CASE("batch plan: an output directory inside the input is not walked") {
  const std::string dir = make_tree("plan-inside");
  write_png(dir + "/in/restored/a.png", test::smooth_pattern(64, 64, 6));  // an earlier run's output
  gpen::BatchOptions o;
  o.output_dir = dir + "/in/restored";
  o.recursive = true;
  const auto plan = gpen::plan_batch({dir + "/in"}, o);
  CHECK(plan.size() == 3);  // a, b, sub/c; not restored/a
  for (const auto& f : plan) CHECK(f.input.find("/restored/") == std::string::npos);
}

TEST_CASE("batch: bad files are reported with reasons, good ones restored, inputs untouched") {
  const std::string dir = test::temp_dir("batch-bad");
  for (int i = 0; i < 5; ++i) write_png(dir + "/in/good" + std::to_string(i) + ".png", test::smooth_pattern(64, 64, i));
  std::ofstream(dir + "/in/empty.png").close();
  std::ofstream(dir + "/in/text.jpg") << "this is not a JPEG";
  std::vector<unsigned char> png;
  cv::imencode(".png", test::smooth_pattern(64, 64, 9), png);
  std::ofstream(dir + "/in/truncated.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size() / 2));
  std::map<std::string, std::string> before;
  for (const auto& e : fs::directory_iterator(dir + "/in")) before[e.path().string()] = read_all(e.path().string());

  const gpen::Restorer restorer(model_options("random-64.pt"));
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.aligned = true;
  gpen::BatchProcessor processor(restorer, o);
  const gpen::BatchReport r = processor.run({dir + "/in"}, {});
  CHECK(r.restored == 5);
  CHECK(r.failed == 3);
  CHECK(r.cancelled == 0);
  std::map<std::string, std::string> errors;
  for (const gpen::FileReport& f : r.files) {
    if (f.status == gpen::FileStatus::Failed) errors[fs::path(f.input).filename().string()] = f.error;
    if (f.status == gpen::FileStatus::Restored) CHECK(gpen::read_image(f.output).width() == 64);
  }
  CHECK(errors["empty.png"].find("file is empty") != std::string::npos);
  CHECK(errors["text.jpg"].find("not an image") != std::string::npos);
  CHECK(errors["truncated.png"].find("truncated.png") != std::string::npos);
  for (const auto& [path, bytes] : before) CHECK(read_all(path) == bytes);
  CHECK(r.wall_s > 0.0);
  CHECK(r.compute_busy_fraction > 0.0);
  CHECK(r.compute_busy_fraction <= 1.0);
}

TEST_CASE("batch: results equal one-at-a-time restoration, with faces batched across photos") {
  const std::string dir = test::temp_dir("batch-same");
  std::vector<gpen::DetectedFace> faces = {test::face_at(10, 10, 0.2f), test::face_at(60, 30, 0.2f),
                                           test::face_at(20, 80, 0.18f)};
  for (int i = 0; i < 6; ++i) write_png(dir + "/in/p" + std::to_string(i) + ".png", test::smooth_pattern(200, 180, i));
  const gpen::Restorer restorer(model_options("random-64.pt", 4), std::make_unique<test::FakeDetector>(faces));
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  gpen::BatchProcessor processor(restorer, o);
  const gpen::BatchReport r = processor.run({dir + "/in"}, {});
  REQUIRE(r.restored == 6);
  CHECK(r.faces == 18);
  CHECK(r.model_calls >= 5);   // 18 faces, at most 4 per call
  CHECK(r.model_calls <= 18);
  for (const gpen::FileReport& f : r.files) {
    const gpen::Image in = gpen::read_image(f.input);
    const gpen::Image expected = restorer.restore(in.view()).image;
    CHECK(test::max_abs_diff(test::mat_of(gpen::read_image(f.output)), test::mat_of(expected)) <= 1.0);
    CHECK(f.faces.size() == 3);
  }
}

TEST_CASE("batch: a plan split into shares (run_plan) writes what one run writes; foreign plans are checked") {
  const std::string dir = make_tree("run-plan");
  const gpen::Restorer restorer(model_options("random-64.pt", 4),
                                std::make_unique<test::FakeDetector>(std::vector<gpen::DetectedFace>{test::face_at(8, 8, 0.4f)}));
  gpen::BatchOptions o;
  o.output_dir = dir + "/whole";
  o.recursive = true;
  gpen::BatchProcessor whole(restorer, o);
  REQUIRE(whole.run({dir + "/in"}, {}).restored == 3);

  o.output_dir = dir + "/shares";
  const std::vector<gpen::PlannedFile> plan = gpen::plan_batch({dir + "/in"}, o);
  REQUIRE(plan.size() == 3);
  gpen::BatchProcessor shares(restorer, o);
  const gpen::BatchReport first = shares.run_plan({plan[2]}, {});  // sub/c first, on its own
  const gpen::BatchReport rest = shares.run_plan({plan[0], plan[1]}, {});
  CHECK(first.restored == 1);
  CHECK(rest.restored == 2);
  CHECK(rest.files[1].output == dir + "/shares/b.png");
  for (const char* name : {"a.png", "b.png", "sub/c.png"}) {
    CHECK_MESSAGE(read_all(dir + "/shares/" + name) == read_all(dir + "/whole/" + name), name);
  }

  CHECK_GPEN_ERROR(shares.run_plan({plan[0], {plan[1].input, plan[0].output}}, {}), gpen::ErrorCode::InvalidArgument,
                   "would both be written to " + plan[0].output);
  CHECK_GPEN_ERROR(shares.run_plan({{plan[0].input, dir + "/elsewhere/a.png"}}, {}), gpen::ErrorCode::InvalidArgument,
                   "output " + dir + "/elsewhere/a.png is not inside the output folder " + dir + "/shares");
  CHECK_GPEN_ERROR(shares.run_plan({{plan[0].input, dir + "/shares/../a.png"}}, {}), gpen::ErrorCode::InvalidArgument,
                   "is not inside the output folder");
  CHECK_GPEN_ERROR(shares.run_plan({}, {}), gpen::ErrorCode::InvalidArgument, "no input images found");
  CHECK_FALSE(fs::exists(dir + "/elsewhere"));
}

TEST_CASE("batch: skip_existing resumes; stale temporary files are cleaned up") {
  const std::string dir = make_tree("batch-resume");
  const gpen::Restorer restorer(model_options("random-64.pt"));
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.aligned = true;
  o.recursive = true;
  fs::create_directories(dir + "/out");
  // Left by killed runs (no writer holds them), however recent: removed. One whose writer still
  // holds its lock (another process writing the same folder): kept.
  const auto a_minute_ago = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  std::ofstream(dir + "/out/.a.png.tmp-Ab12Cd") << "partial";
  fs::last_write_time(dir + "/out/.a.png.tmp-Ab12Cd", a_minute_ago);
  std::ofstream(dir + "/out/.b.png.tmp-Xy34Zw") << "being written";
  fs::last_write_time(dir + "/out/.b.png.tmp-Xy34Zw", a_minute_ago);
  const int writer = ::open((dir + "/out/.b.png.tmp-Xy34Zw").c_str(), O_RDONLY);
  REQUIRE(writer >= 0);
  REQUIRE(::flock(writer, LOCK_EX) == 0);
  fs::create_directories(dir + "/out/sub");
  std::ofstream(dir + "/out/sub/.c.png.tmp-Fresh1") << "killed a moment ago";
  gpen::BatchProcessor processor(restorer, o);
  gpen::BatchReport first = processor.run({dir + "/in"}, {});
  CHECK(first.restored == 3);
  CHECK_FALSE(fs::exists(dir + "/out/.a.png.tmp-Ab12Cd"));
  CHECK(fs::exists(dir + "/out/.b.png.tmp-Xy34Zw"));
  CHECK_FALSE(fs::exists(dir + "/out/sub/.c.png.tmp-Fresh1"));
  ::close(writer);
  fs::remove(dir + "/out/.b.png.tmp-Xy34Zw");
  fs::remove(dir + "/out/b.png");
  gpen::BatchOptions resume = o;
  resume.skip_existing = true;
  gpen::BatchProcessor again(restorer, resume);
  const gpen::BatchReport second = again.run({dir + "/in"}, {});
  CHECK(second.skipped == 2);
  CHECK(second.restored == 1);
  CHECK(fs::exists(dir + "/out/b.png"));
}

TEST_CASE("batch: progress is reported once per file; a throwing callback does no harm") {
  const std::string dir = make_tree("batch-progress");
  const gpen::Restorer restorer(model_options("random-64.pt"));
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.aligned = true;
  o.recursive = true;
  gpen::BatchProcessor processor(restorer, o);
  std::vector<int> done;
  std::set<std::string> files;
  const gpen::BatchReport r = processor.run({dir + "/in"}, {}, [&](const gpen::BatchProgress& p) {
    done.push_back(p.done);
    files.insert(p.file->input);
    CHECK(p.total == 3);
    CHECK(p.elapsed_s >= 0.0);
    throw std::runtime_error("callback bug");
  });
  CHECK(done == std::vector<int>{1, 2, 3});
  CHECK(files.size() == 3);
  CHECK(r.restored == 3);
}

TEST_CASE("batch: cancel stops taking files; nothing half-written") {
  const std::string dir = test::temp_dir("batch-cancel");
  for (int i = 0; i < 30; ++i) write_png(dir + "/in/f" + std::to_string(100 + i) + ".png", test::smooth_pattern(64, 64, i));
  const gpen::Restorer restorer(model_options("random-64.pt"));
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.aligned = true;
  o.readers = 1;
  o.queue_capacity = 2;
  gpen::BatchProcessor processor(restorer, o);
  const gpen::BatchReport r = processor.run({dir + "/in"}, {}, [&](const gpen::BatchProgress& p) {
    if (p.done == 2) processor.cancel();
  });
  CHECK(r.was_cancelled);
  CHECK(r.cancelled > 0);
  CHECK(r.restored + r.cancelled == 30);
  int outputs = 0;
  for (const auto& e : fs::directory_iterator(dir + "/out")) {
    CHECK(e.path().filename().string()[0] != '.');  // no temporary files left
    CHECK(gpen::read_image(e.path().string()).width() == 64);  // every output complete
    ++outputs;
  }
  CHECK(outputs == r.restored);
  // The processor can run again after a cancel.
  gpen::BatchOptions resume = o;
  resume.skip_existing = true;
  gpen::BatchProcessor again(restorer, resume);
  const gpen::BatchReport rest = again.run({dir + "/in"}, {});
  CHECK(rest.restored + rest.skipped == 30);
  CHECK_FALSE(rest.was_cancelled);
}

TEST_CASE("batch: bad options are refused") {
  const gpen::Restorer restorer(model_options("random-64.pt"));
  gpen::BatchOptions o;
  o.output_dir = "out";
  o.readers = 0;
  CHECK_GPEN_ERROR(gpen::BatchProcessor(restorer, o), gpen::ErrorCode::InvalidArgument, "readers must be 1-64");
  o.readers = 1;
  o.quality = 101;
  CHECK_GPEN_ERROR(gpen::BatchProcessor(restorer, o), gpen::ErrorCode::InvalidArgument, "quality must be 1-100");
  o.quality = 90;
  gpen::BatchProcessor p(restorer, o);
  gpen::RestoreParams bad;
  bad.sharpen = 200;
  CHECK_GPEN_ERROR(p.run({"x.png"}, bad), gpen::ErrorCode::InvalidArgument, "sharpen must be in 0-100");
}

TEST_CASE("batch: a model whose output fails the checks stops the run with InvalidModel, no crash") {
  if (!test::available(test::model("bad-batch.pt"))) return;
  const std::string dir = test::temp_dir("batch-bad-model");
  for (int i = 0; i < 5; ++i) write_png(dir + "/in/f" + std::to_string(i) + ".png", test::smooth_pattern(64, 64, i));
  const gpen::Restorer restorer(model_options("bad-batch.pt", 4));
  gpen::BatchOptions o;
  o.output_dir = dir + "/out";
  o.aligned = true;
  gpen::BatchProcessor processor(restorer, o);
  // How many faces a model call gets depends on timing: a call of one face is what that model
  // can do; the first call of more gets one face back, and the run stops there.
  try {
    const gpen::BatchReport r = processor.run({dir + "/in"}, {});
    CHECK(r.restored == 5);
  } catch (const gpen::Error& e) {
    CHECK(e.code() == gpen::ErrorCode::InvalidModel);
    CHECK(std::string(e.what()).find("returned a tensor of shape [1, 3, 64, 64] for an input of [") != std::string::npos);
    CHECK(std::string(e.what()).find("the run stopped") != std::string::npos);
  }
  for (int i = 0; i < 5; ++i) {  // what was written is whole
    const std::string out = dir + "/out/f" + std::to_string(i) + ".png";
    if (fs::exists(out)) CHECK(gpen::read_image(out).width() == 64);
  }
  // A model that is wrong whatever the batch: the first call stops the run, nothing is written.
  if (!test::available(test::model("bad-channels.pt"))) return;
  const gpen::Restorer channels(model_options("bad-channels.pt", 4));
  o.output_dir = dir + "/out-channels";
  gpen::BatchProcessor again(channels, o);
  CHECK_GPEN_ERROR(again.run({dir + "/in"}, {}), gpen::ErrorCode::InvalidModel,
                   ", 1, 64, 64] for an input of [");  // batch size depends on timing
  for (int i = 0; i < 5; ++i) CHECK_FALSE(fs::exists(dir + "/out-channels/f" + std::to_string(i) + ".png"));
}
