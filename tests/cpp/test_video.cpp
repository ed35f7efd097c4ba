// Videos: clips are made here with Debian's ffmpeg tool and checked with ffprobe (never
// committed media). Frames go through the classic path (no model): what is tested is the video
// plumbing, the frames' own restoration is the photo tests' business.
#include "torch_first.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "gpen/video.hpp"
#include "video/face_follower.hpp"
#include "video/face_tracker.hpp"
#include "video/video_reader.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

std::string run_capture(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) out.append(buffer.data(), n);
  return out;
}

bool have_ffmpeg() {
  if (std::system("ffmpeg -version >/dev/null 2>&1") == 0 && std::system("ffprobe -version >/dev/null 2>&1") == 0) {
    return true;
  }
  MESSAGE("SKIPPED: the ffmpeg and ffprobe tools are not installed (Debian package ffmpeg; scripts/setup.sh installs it)");
  return false;
}

// ffmpeg -y -v error INPUTS... OUTPUT; true on success.
bool make_clip(const std::string& arguments) {
  return std::system(("ffmpeg -y -v error -nostdin " + arguments + " >/dev/null 2>&1").c_str()) == 0;
}

nlohmann::json probe(const std::string& path, const std::string& what) {
  return nlohmann::json::parse(run_capture("ffprobe -v error -of json " + what + " '" + path + "'"));
}

std::vector<std::string> packet_hashes(const std::string& path, const std::string& stream) {
  const auto j = probe(path, "-select_streams " + stream + " -show_packets -show_data_hash MD5 -show_entries packet=data_hash");
  std::vector<std::string> hashes;
  for (const auto& p : j["packets"]) hashes.push_back(p["data_hash"].get<std::string>());
  return hashes;
}

std::vector<double> frame_times(const std::string& path) {
  const auto j = probe(path, "-select_streams v:0 -show_frames -show_entries frame=pts_time");
  std::vector<double> times;
  for (const auto& f : j["frames"]) times.push_back(std::stod(f["pts_time"].get<std::string>()));
  return times;
}

bool no_temporaries(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return false;
  }
  return true;
}

const gpen::Restorer& classic_restorer() {
  static const gpen::Restorer restorer{gpen::RestorerOptions{}};
  return restorer;
}

}  // namespace

TEST_CASE("video: same frames, rate and size; the audio copied packet for packet; written atomically") {
  if (!have_ffmpeg()) return;
  const std::string dir = test::temp_dir("video-basic");
  const std::string clip = dir + "/clip.mp4", out = dir + "/out/clip.mp4";
  REQUIRE(make_clip("-f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 "
                    "-t 2 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest '" + clip + "'"));
  fs::create_directories(dir + "/out");
  std::vector<std::int64_t> seen;
  gpen::VideoOptions options;
  options.progress = [&](const gpen::VideoProgress& p) { seen.push_back(p.frames_done); };
  const gpen::VideoReport report = gpen::restore_video(classic_restorer(), clip, out, gpen::RestoreParams(), options);
  CHECK(report.frames == 50);
  CHECK(report.copied_streams == 1);
  CHECK(report.damaged == 0);
  CHECK(report.width == 160);
  CHECK(report.height == 120);
  // The three stages each did their part; the restore stage's share of the wall time is reported.
  CHECK(report.decode_s > 0);
  CHECK(report.compute_s > 0);
  CHECK(report.encode_s > 0);
  CHECK(report.compute_busy_fraction > 0);
  CHECK(report.compute_busy_fraction <= 1);
  REQUIRE(seen.size() == 50);
  CHECK(seen.back() == 50);
  const auto in_v = probe(clip, "-select_streams v:0 -count_frames -show_entries stream=nb_read_frames,r_frame_rate,width,height");
  const auto out_v = probe(out, "-select_streams v:0 -count_frames -show_entries stream=nb_read_frames,r_frame_rate,width,height,codec_name");
  CHECK(out_v["streams"][0]["nb_read_frames"] == in_v["streams"][0]["nb_read_frames"]);
  CHECK(out_v["streams"][0]["r_frame_rate"] == in_v["streams"][0]["r_frame_rate"]);
  CHECK(out_v["streams"][0]["width"] == 160);
  CHECK(out_v["streams"][0]["codec_name"] == "h264");
  const std::vector<std::string> audio_in = packet_hashes(clip, "a:0"), audio_out = packet_hashes(out, "a:0");
  MESSAGE("audio packets: " << audio_in.size() << " in, " << audio_out.size() << " out");
  CHECK(audio_in.size() > 50);
  CHECK(audio_out == audio_in);
  const auto dur_in = probe(clip, "-show_entries format=duration"), dur_out = probe(out, "-show_entries format=duration");
  CHECK(std::abs(std::stod(dur_in["format"]["duration"].get<std::string>()) -
                 std::stod(dur_out["format"]["duration"].get<std::string>())) <= 0.04);  // one frame
  CHECK(no_temporaries(dir + "/out"));
}

TEST_CASE("video: variable frame rate timestamps are kept") {
  if (!have_ffmpeg()) return;
  const std::string dir = test::temp_dir("video-vfr");
  const std::string clip = dir + "/vfr.mkv", out = dir + "/vfr-out.mkv";
  // Frame N at N*N/100 s: every gap different.
  REQUIRE(make_clip("-f lavfi -i testsrc=size=96x64:rate=10 -frames:v 20 -vf setpts=N*N/100/TB -fps_mode passthrough "
                    "-c:v libx264 '" + clip + "'"));
  const gpen::VideoReport report = gpen::restore_video(classic_restorer(), clip, out);
  CHECK(report.frames == 20);
  const std::vector<double> in = frame_times(clip), got = frame_times(out);
  REQUIRE(in.size() == 20);
  REQUIRE(got.size() == in.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < in.size(); ++i) worst = std::max(worst, std::abs(in[i] - got[i]));
  MESSAGE("largest timestamp difference " << worst << " s (last frame at " << in.back() << " s)");
  CHECK(worst <= 0.0015);
}

TEST_CASE("video: two clips spliced (frame size changes, timestamps overlap): every frame kept, at the first size") {
  if (!have_ffmpeg()) return;
  const std::string dir = test::temp_dir("video-size-change");
  REQUIRE(make_clip("-f lavfi -i testsrc=size=96x64:rate=25 -t 0.4 -c:v libx264 -pix_fmt yuv420p '" + dir + "/a.ts'"));
  REQUIRE(make_clip("-f lavfi -i testsrc=size=128x96:rate=25 -t 0.4 -c:v libx264 -pix_fmt yuv420p -output_ts_offset 0.4 '" +
                    dir + "/b.ts'"));
  {
    std::ofstream joined(dir + "/joined.ts", std::ios::binary);
    for (const char* part : {"/a.ts", "/b.ts"}) {
      std::ifstream in(dir + part, std::ios::binary);
      joined << in.rdbuf();
    }
  }
  const gpen::VideoReport r = gpen::restore_video(classic_restorer(), dir + "/joined.ts", dir + "/out.mkv");
  // The second clip's timestamps start before the first one's end: frames that would go back in
  // time are placed just after the previous one.
  MESSAGE("frames restored: " << r.frames << " of 20, damaged " << r.damaged);
  CHECK(r.frames >= 19);
  CHECK(r.width == 96);
  const auto v = probe(dir + "/out.mkv", "-select_streams v:0 -count_frames -show_entries stream=nb_read_frames,width,height");
  CHECK(v["streams"][0]["width"] == 96);
  CHECK(v["streams"][0]["height"] == 64);
  CHECK(v["streams"][0]["nb_read_frames"] == std::to_string(r.frames));
  const std::vector<double> times = frame_times(dir + "/out.mkv");
  REQUIRE(times.size() == static_cast<std::size_t>(r.frames));
  for (std::size_t i = 1; i < times.size(); ++i) CHECK(times[i] >= times[i - 1]);
}

TEST_CASE("video: a truncated stream gives the frames before the cut; bad inputs are clear errors") {
  if (!have_ffmpeg()) return;
  const std::string dir = test::temp_dir("video-bad");
  const std::string ts = dir + "/clip.ts", cut = dir + "/cut.ts";
  REQUIRE(make_clip("-f lavfi -i testsrc=size=96x64:rate=25 -t 2 -c:v libx264 '" + ts + "'"));
  {
    std::ifstream in(ts, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  const gpen::VideoReport report = gpen::restore_video(classic_restorer(), cut, dir + "/cut-out.mp4");
  MESSAGE("truncated at half: " << report.frames << " of 50 frames restored, " << report.damaged << " damaged");
  CHECK(report.frames > 5);
  CHECK(report.frames < 50);
  CHECK(fs::exists(dir + "/cut-out.mp4"));

  const std::string wav = dir + "/tone.wav", text = dir + "/notes.mp4";
  REQUIRE(make_clip("-f lavfi -i sine=frequency=440 -t 1 '" + wav + "'"));
  std::ofstream(text) << "not a video";
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), wav, dir + "/x.mp4"), gpen::ErrorCode::DecodeFailed,
                   "has no video stream");
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), text, dir + "/y.mp4"), gpen::ErrorCode::DecodeFailed,
                   "cannot open");
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), dir + "/missing.mp4", dir + "/z.mp4"),
                   gpen::ErrorCode::FileNotFound, "video not found");
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), ts, ts), gpen::ErrorCode::InvalidArgument, "is the input");
  CHECK(!fs::exists(dir + "/x.mp4"));
  // A name FFmpeg knows no container for: the input's container.
  gpen::restore_video(classic_restorer(), ts, dir + "/out.unknownext");
  CHECK(probe(dir + "/out.unknownext", "-show_entries format=format_name")["format"]["format_name"] == "mpegts");
  CHECK(no_temporaries(dir));
  CHECK(gpen::is_video_file(ts));
  CHECK_FALSE(gpen::is_video_file(wav));
  CHECK_FALSE(gpen::is_video_file(text));
  const std::string png = dir + "/still.png";
  REQUIRE(cv::imwrite(png, test::pattern(64, 48)));
  CHECK_FALSE(gpen::is_video_file(png));
  const std::string gif = dir + "/moving.gif";
  REQUIRE(make_clip("-f lavfi -i testsrc=size=32x32:rate=5 -t 1 '" + gif + "'"));
  CHECK_FALSE(gpen::is_video_file(gif));  // GIFs stay images
}

namespace {

// The frames of a video decoded by ffmpeg into PNG images, in order.
std::vector<cv::Mat> decoded_frames(const std::string& video, const std::string& dir) {
  fs::create_directories(dir);
  std::vector<cv::Mat> frames;
  if (!make_clip("-i '" + video + "' -fps_mode passthrough '" + dir + "/%06d.png'")) return frames;
  for (int i = 1;; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%06d.png", i);
    cv::Mat m = cv::imread(dir + name, cv::IMREAD_COLOR);
    if (m.empty()) break;
    frames.push_back(m);
  }
  return frames;
}

}  // namespace

TEST_CASE("video: codecs, containers and quality; a lossless video has exactly the frames of the PNG folder") {
  if (!have_ffmpeg()) return;
  const std::string dir = test::temp_dir("video-codecs");
  const std::string clip = dir + "/clip.mp4";
  REQUIRE(make_clip("-f lavfi -i testsrc=size=96x64:rate=25 -f lavfi -i sine=frequency=440 -t 1 -c:v libx264 "
                    "-pix_fmt yuv420p -c:a aac -shortest '" + clip + "'"));
  const gpen::RestoreParams params;
  struct Case {
    const char* codec;
    const char* output;
    const char* codec_name;
  };
  for (const Case& c : {Case{"h265", "h265.mkv", "hevc"}, Case{"vp9", "vp9.webm", "vp9"}, Case{"ffv1", "ffv1.mkv", "ffv1"}}) {
    CAPTURE(c.codec);
    gpen::VideoOptions options;
    options.video_codec = c.codec;
    const gpen::VideoReport r = gpen::restore_video(classic_restorer(), clip, dir + "/" + c.output, params, options);
    CHECK(r.frames == 25);
    const auto v = probe(dir + "/" + c.output, "-select_streams v:0 -count_frames -show_entries stream=codec_name,nb_read_frames");
    CHECK(v["streams"][0]["codec_name"] == c.codec_name);
    CHECK(v["streams"][0]["nb_read_frames"] == "25");
  }
  // Lossless: the ffv1 video decodes to the very frames the PNG folder holds.
  gpen::VideoOptions folder;
  folder.frames_dir = true;
  const gpen::VideoReport pngs = gpen::restore_video(classic_restorer(), clip, dir + "/frames.mp4", params, folder);
  CHECK(pngs.output == dir + "/frames");
  CHECK(pngs.copied_streams == 0);
  const std::vector<cv::Mat> lossless = decoded_frames(dir + "/ffv1.mkv", dir + "/ffv1-decoded");
  REQUIRE(lossless.size() == 25);
  for (int i = 0; i < 25; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%06d.png", i + 1);
    const cv::Mat png = cv::imread(dir + "/frames" + name, cv::IMREAD_COLOR);
    REQUIRE(!png.empty());
    CHECK(cv::norm(png, lossless[i], cv::NORM_INF) == 0);
  }
  CHECK_FALSE(fs::exists(dir + "/frames/000026.png"));
  // Again over the folder: replaced whole (a file left there by hand is gone), no temporaries.
  std::ofstream(dir + "/frames/stale.txt") << "old";
  gpen::restore_video(classic_restorer(), clip, dir + "/frames", params, folder);
  CHECK_FALSE(fs::exists(dir + "/frames/stale.txt"));
  CHECK(fs::exists(dir + "/frames/000025.png"));
  // A bitrate instead of the quality: a far smaller file than crf 0.
  gpen::VideoOptions lossless_h264, small;
  lossless_h264.crf = 0;
  small.bitrate = 20;
  gpen::restore_video(classic_restorer(), clip, dir + "/crf0.mp4", params, lossless_h264);
  gpen::restore_video(classic_restorer(), clip, dir + "/small.mp4", params, small);
  auto video_bitrate = [&](const std::string& file) {
    return std::stod(probe(file, "-select_streams v:0 -show_entries stream=bit_rate")["streams"][0]["bit_rate"].get<std::string>());
  };
  const double crf0_rate = video_bitrate(dir + "/crf0.mp4"), small_rate = video_bitrate(dir + "/small.mp4");
  MESSAGE("h264 video stream: crf 0 " << crf0_rate / 1000 << " kbit/s, asked for 20 kbit/s: " << small_rate / 1000);
  CHECK(small_rate < 40000);
  CHECK(small_rate * 4 < crf0_rate);
  // The container by option, whatever the name says.
  gpen::VideoOptions mkv;
  mkv.container = "matroska";
  gpen::restore_video(classic_restorer(), clip, dir + "/named.mp4", params, mkv);
  CHECK(probe(dir + "/named.mp4", "-show_entries format=format_name")["format"]["format_name"] == "matroska,webm");
  // Clear errors, nothing written.
  gpen::VideoOptions bad;
  bad.video_codec = "ffv1";
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/bad.mp4", params, bad),
                   gpen::ErrorCode::InvalidArgument, "the mp4 container does not take ffv1 video");
  bad = gpen::VideoOptions();
  bad.crf = 60;
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/bad.mp4", params, bad),
                   gpen::ErrorCode::InvalidArgument, "crf for h264 must be in 0-51, got 60");
  bad = gpen::VideoOptions();
  bad.container = "nonsense";
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/bad.mp4", params, bad),
                   gpen::ErrorCode::InvalidArgument, "container 'nonsense' is not one FFmpeg writes");
  bad = gpen::VideoOptions();
  bad.detect_every = 0;
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/bad.mp4", params, bad),
                   gpen::ErrorCode::InvalidArgument, "detect_every must be 1-1000, got 0");
  bad = gpen::VideoOptions();
  bad.video_codec = "mpeg2";
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/bad.mp4", params, bad),
                   gpen::ErrorCode::InvalidArgument, "video_codec must be");
  CHECK_FALSE(fs::exists(dir + "/bad.mp4"));
  CHECK(no_temporaries(dir));
}

TEST_CASE("video: cancelling between frames leaves nothing under the output's name") {
  if (!have_ffmpeg()) return;
  const std::string dir = test::temp_dir("video-cancel");
  const std::string clip = dir + "/clip.mkv", out = dir + "/out.mkv";
  REQUIRE(make_clip("-f lavfi -i testsrc=size=96x64:rate=25 -t 2 -c:v libx264 '" + clip + "'"));
  int frames = 0;
  gpen::RestoreParams params;
  params.should_stop = [&] { return frames >= 5; };
  gpen::VideoOptions options;
  options.progress = [&](const gpen::VideoProgress&) { ++frames; };
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, out, params, options), gpen::ErrorCode::Cancelled, "");
  CHECK(frames == 5);
  CHECK(!fs::exists(out));
  CHECK(no_temporaries(dir));
}

namespace {

double mean_motion(const std::vector<gpen::Landmarks>& frames) {
  double sum = 0.0;
  int n = 0;
  for (std::size_t t = 1; t < frames.size(); ++t) {
    for (std::size_t k = 0; k < 5; ++k) {
      sum += std::hypot(frames[t][k].x - frames[t - 1][k].x, frames[t][k].y - frames[t - 1][k].y);
      ++n;
    }
  }
  return n ? sum / n : 0.0;
}

}  // namespace

TEST_CASE("video: a still face under per-frame noise: smoothed landmarks move at most a quarter as much; one track") {
  if (!have_ffmpeg()) return;
  const std::string face = test::shared_dir() + "/data/ffhq-val/lq_0.png";
  if (!test::available(face)) return;
  const std::string dir = test::temp_dir("video-jitter");
  const std::string clip = dir + "/still.mp4";
  REQUIRE(make_clip("-loop 1 -i '" + face + "' -frames:v 25 -r 25 -vf scale=256:256,noise=alls=30:allf=t "
                    "-c:v libx264 -crf 12 -pix_fmt yuv420p '" + clip + "'"));
  const gpen::Restorer& restorer = classic_restorer();
  gpen::detail::VideoReader reader(clip);
  gpen::detail::FaceTracker tracker;
  std::vector<gpen::Landmarks> raw, smooth;
  const double tick = av_q2d(reader.video_stream()->time_base);
  AVPacket* packet = av_packet_alloc();
  auto on_frame = [&](const gpen::Image& frame, std::int64_t pts) {
    const std::vector<gpen::DetectedFace> found = restorer.detect(frame.view());
    if (found.size() != 1) return;
    raw.push_back(found[0].landmarks);
    smooth.push_back(tracker.update(found, pts * tick)[0].face.landmarks);
  };
  while (reader.read(packet)) {
    if (packet->stream_index == reader.video_index()) reader.decode(packet, on_frame);
    av_packet_unref(packet);
  }
  reader.decode(nullptr, on_frame);
  av_packet_free(&packet);
  REQUIRE(raw.size() >= 23);
  const double before = mean_motion(raw), after = mean_motion(smooth);
  MESSAGE("mean frame-to-frame landmark motion: " << before << " px as detected, " << after << " px smoothed ("
                                                  << 100.0 * after / before << "%)");
  CHECK(before > 0.05);  // the noise does move the detections
  CHECK(after <= 0.25 * before);
  const gpen::VideoReport report = gpen::restore_video(restorer, clip, dir + "/out.mp4");
  CHECK(report.frames == 25);
  CHECK(report.frames_per_track == std::vector<std::int64_t>{static_cast<std::int64_t>(raw.size())});
}

TEST_CASE("video: tracks keep their number while faces move, end after 10 missed frames; smoothing 0 is the identity") {
  auto face_at = [](float x, float y, float w) {
    gpen::DetectedFace f;
    f.box = {x, y, w, w};
    for (int k = 0; k < 5; ++k) f.landmarks[k] = {x + w * (0.3f + 0.1f * k), y + w * 0.5f};
    return f;
  };
  gpen::detail::FaceTracker tracker;
  double t = 0.0;
  for (int frame = 0; frame < 20; ++frame, t += 0.04) {  // two faces drifting right, 2 px a frame
    const auto out = tracker.update({face_at(10.0f + 2 * frame, 10, 100), face_at(300.0f + 2 * frame, 50, 80)}, t);
    REQUIRE(out.size() == 2);
    CHECK(out[0].track == 0);
    CHECK(out[1].track == 1);
  }
  for (int frame = 0; frame < 11; ++frame, t += 0.04) tracker.update({face_at(50, 10, 100)}, t);  // the second is gone
  const auto back = tracker.update({face_at(50, 10, 100), face_at(340, 50, 80)}, t);
  CHECK(back[0].track == 0);
  CHECK(back[1].track == 2);  // a new track: the old one ended
  CHECK(tracker.frames_per_track() == std::vector<std::int64_t>{32, 20, 1});

  gpen::detail::FaceTracker off(0.0);
  off.update({face_at(0, 0, 100)}, 0.0);
  const auto moved = off.update({face_at(7, 3, 100)}, 0.04);
  CHECK(moved[0].face.landmarks[0].x == doctest::Approx(7 + 30));
}

TEST_CASE("video: between searches (detect_every), optical flow carries the landmarks with a moving face") {
  const std::string face = test::shared_dir() + "/data/ffhq-val/lq_0.png";
  if (!test::available(face)) return;
  const cv::Mat photo = cv::imread(face, cv::IMREAD_COLOR);
  REQUIRE(!photo.empty());
  auto frame_at = [&](float dx, float dy) {  // the photo shifted by (dx, dy), borders replicated
    cv::Mat shifted;
    const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, dy);
    cv::warpAffine(photo, shifted, m, photo.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    gpen::Image image(shifted.cols, shifted.rows, 3);
    for (int y = 0; y < shifted.rows; ++y) std::memcpy(image.data() + y * shifted.cols * 3, shifted.ptr(y), shifted.cols * 3);
    return image;
  };
  const gpen::Image first = frame_at(0, 0);
  const std::vector<gpen::DetectedFace> found = classic_restorer().detect(first.view());
  REQUIRE(found.size() == 1);
  gpen::detail::FaceFollower follower;
  follower.found(first, found);
  double worst = 0.0;
  for (int step = 1; step <= 5; ++step) {  // 1.5 px right and 1 px down per frame
    const std::vector<gpen::DetectedFace> followed = follower.follow(frame_at(1.5f * step, 1.0f * step));
    REQUIRE(followed.size() == 1);
    for (int k = 0; k < 5; ++k) {
      worst = std::max(worst, double(std::hypot(followed[0].landmarks[k].x - (found[0].landmarks[k].x + 1.5f * step),
                                                followed[0].landmarks[k].y - (found[0].landmarks[k].y + 1.0f * step))));
    }
    CHECK(std::abs(followed[0].box.x - (found[0].box.x + 1.5f * step)) < 1.0f);
    CHECK(std::abs(followed[0].box.width - found[0].box.width) < 1.0f);
  }
  MESSAGE("optical flow over 5 frames of motion: worst landmark error " << worst << " px");
  CHECK(worst < 0.5);
  // A frame of another size (a new scene) loses the faces until the next search.
  gpen::Image other(64, 64, 3);
  CHECK(follower.follow(other).empty());
}

TEST_CASE("video: detect_every 5 searches a fifth of the frames and still restores the face in every frame of a pan and zoom") {
  if (!have_ffmpeg()) return;
  const std::string face = test::shared_dir() + "/data/ffhq-val/lq_0.png";
  if (!test::available(face)) return;
  const std::string dir = test::temp_dir("video-detect-every");
  const std::string clip = dir + "/pan.mp4";
  // The photo panned and zoomed (the window moves 1 px a frame and narrows 0.8% a frame, so the
  // face grows by a quarter across the clip): the tracked landmarks must follow both.
  REQUIRE(make_clip("-loop 1 -i '" + face + "' -frames:v 30 -vf scale=320:320,zoompan=z='1+0.008*on':x='on':y='on/2'"
                    ":d=1:s=256x256:fps=25 -c:v libx264 -crf 12 -pix_fmt yuv420p '" + clip + "'"));
  gpen::VideoOptions every5;
  every5.detect_every = 5;
  const gpen::VideoReport r = gpen::restore_video(classic_restorer(), clip, dir + "/out.mp4", gpen::RestoreParams(), every5);
  CHECK(r.frames == 30);
  CHECK(r.detections == 6);
  CHECK(r.faces == 30);
  CHECK(r.frames_per_track == std::vector<std::int64_t>{30});
  MESSAGE("30 frames, searching every 5th: " << r.seconds << " s (bench/video_benchmark.py compares with every frame)");
}

TEST_CASE("video: the pipeline gives the same frames as the stages one after the other (GPEN_VIDEO_SERIAL=1); faces of consecutive frames share model calls") {
  if (!have_ffmpeg()) return;
  const std::string face = test::shared_dir() + "/data/ffhq-val/lq_0.png";
  if (!test::available(face)) return;
  const std::string dir = test::temp_dir("video-serial");
  const std::string clip = dir + "/pan.mp4";
  REQUIRE(make_clip("-loop 1 -i '" + face + "' -f lavfi -i sine -frames:v 12 -r 25 "
                    "-vf scale=300:300,crop=256:256:'2*n':'n' -c:v libx264 -crf 12 -pix_fmt yuv420p -c:a aac -t 0.5 '" +
                    clip + "'"));
  gpen::VideoOptions folder;
  folder.frames_dir = true;
  folder.detect_every = 3;
  const gpen::VideoReport piped = gpen::restore_video(classic_restorer(), clip, dir + "/piped", gpen::RestoreParams(), folder);
  ::setenv("GPEN_VIDEO_SERIAL", "1", 1);
  const gpen::VideoReport serial = gpen::restore_video(classic_restorer(), clip, dir + "/serial", gpen::RestoreParams(), folder);
  ::unsetenv("GPEN_VIDEO_SERIAL");
  REQUIRE(piped.frames == 12);
  CHECK(serial.frames == 12);
  CHECK(serial.faces == piped.faces);
  CHECK(piped.faces == 12);
  // One face a frame, up to 4 (max_batch) in a model call: the faces of consecutive frames share
  // calls. One stage after another, batches fill up; in the pipeline a batch also goes when the
  // next frame is not decoded yet.
  CHECK(serial.model_calls == 3);
  CHECK(piped.model_calls >= 3);
  CHECK(piped.model_calls <= 12);
  MESSAGE("12 frames, one face each: " << serial.model_calls << " model calls one stage after another, "
                                       << piped.model_calls << " in the pipeline");
  for (int i = 1; i <= 12; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%06d.png", i);
    const cv::Mat a = cv::imread(dir + "/piped" + name), b = cv::imread(dir + "/serial" + name);
    REQUIRE(!a.empty());
    REQUIRE(!b.empty());
    CHECK(cv::norm(a, b, cv::NORM_INF) == 0);
  }
}

TEST_CASE("video: resume: an interrupted run goes on from its last complete segment; the result is the uninterrupted one") {
  if (!have_ffmpeg()) return;
  const std::string face = test::shared_dir() + "/data/ffhq-val/lq_0.png";
  if (!test::available(face)) return;
  const std::string dir = test::temp_dir("video-resume");
  const std::string clip = dir + "/pan.mp4";
  REQUIRE(make_clip("-loop 1 -i '" + face + "' -f lavfi -i sine=frequency=440 -frames:v 30 -r 25 "
                    "-vf scale=300:300,crop=256:256:'n':'n/2',noise=alls=20:allf=t -c:v libx264 -crf 12 -pix_fmt yuv420p "
                    "-c:a aac -t 1.2 '" + clip + "'"));
  gpen::VideoOptions options;
  options.resume = true;
  options.segment_seconds = 0.2f;  // 5 frames a segment
  options.detect_every = 3;
  const gpen::VideoReport whole = gpen::restore_video(classic_restorer(), clip, dir + "/whole.mp4", gpen::RestoreParams(), options);
  CHECK(whole.frames == 30);
  CHECK(whole.resumed_frames == 0);
  CHECK(whole.copied_streams == 1);
  CHECK_FALSE(fs::exists(dir + "/.whole.mp4.parts"));  // removed once joined

  // Interrupted after 13 frames: segments 1 and 2 are complete, nothing is under the output's name.
  gpen::RestoreParams stop;
  int restored = 0;
  int stop_at = 13;
  stop.should_stop = [&] { return restored >= stop_at; };
  gpen::VideoOptions counting = options;
  counting.progress = [&](const gpen::VideoProgress& p) { restored = static_cast<int>(p.frames_done); };
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/resumed.mp4", stop, counting),
                   gpen::ErrorCode::Cancelled, "");
  CHECK_FALSE(fs::exists(dir + "/resumed.mp4"));
  CHECK(fs::exists(dir + "/.resumed.mp4.parts/000002.json"));
  CHECK_FALSE(fs::exists(dir + "/.resumed.mp4.parts/000003.json"));
  std::vector<std::int64_t> seen;
  auto counting_first = counting.progress;
  counting.progress = [&](const gpen::VideoProgress& p) { seen.push_back(p.frames_done); };
  const gpen::VideoReport resumed = gpen::restore_video(classic_restorer(), clip, dir + "/resumed.mp4", gpen::RestoreParams(), counting);
  CHECK(resumed.resumed_frames == 10);
  CHECK(resumed.frames == 30);
  CHECK(resumed.faces == whole.faces);
  CHECK(resumed.detections == whole.detections);
  CHECK(resumed.frames_per_track == whole.frames_per_track);
  REQUIRE(!seen.empty());
  CHECK(seen.front() == 11);
  CHECK(seen.back() == 30);
  // The same video, packet for packet, and the same sound as the input's.
  const std::vector<std::string> video_whole = packet_hashes(dir + "/whole.mp4", "v:0");
  CHECK(video_whole.size() == 30);
  CHECK(packet_hashes(dir + "/resumed.mp4", "v:0") == video_whole);
  CHECK(packet_hashes(dir + "/resumed.mp4", "a:0") == packet_hashes(clip, "a:0"));
  CHECK(frame_times(dir + "/resumed.mp4") == frame_times(clip));
  CHECK(no_temporaries(dir));
  CHECK_FALSE(fs::exists(dir + "/.resumed.mp4.parts"));

  // Segments made with other parameters are not taken: the run starts over.
  restored = 0;
  counting.progress = counting_first;
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/other.mp4", stop, counting),
                   gpen::ErrorCode::Cancelled, "");
  CHECK(fs::exists(dir + "/.other.mp4.parts/000002.json"));
  restored = 0;
  stop_at = 3;
  gpen::RestoreParams other = stop;
  other.strength = 50;
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/other.mp4", other, counting),
                   gpen::ErrorCode::Cancelled, "");
  CHECK(fs::exists(dir + "/.other.mp4.parts/run.json"));
  CHECK_FALSE(fs::exists(dir + "/.other.mp4.parts/000001.json"));  // started over
  // Refused before any work: resume with a frame folder, a codec the container cannot take.
  gpen::VideoOptions bad = options;
  bad.frames_dir = true;
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/x.mp4", gpen::RestoreParams(), bad),
                   gpen::ErrorCode::InvalidArgument, "does not go with frames_dir");
  bad = options;
  bad.video_codec = "ffv1";
  CHECK_GPEN_ERROR(gpen::restore_video(classic_restorer(), clip, dir + "/x.mp4", gpen::RestoreParams(), bad),
                   gpen::ErrorCode::InvalidArgument, "the mp4 container does not take ffv1 video");
  CHECK_FALSE(fs::exists(dir + "/.x.mp4.parts"));
}

TEST_CASE("video: a clip recorded sideways (display matrix) has its faces found upright; frames and matrix kept") {
  if (!have_ffmpeg()) return;
  const std::string face = test::shared_dir() + "/data/ffhq-val/lq_0.png";
  if (!test::available(face)) return;
  const std::string dir = test::temp_dir("video-rotated");
  const std::string side = dir + "/side.mp4", clip = dir + "/rotated.mp4";
  // Frames stored a quarter turn clockwise; the display matrix turns them back upright (as
  // FFmpeg's own players do: `ffmpeg -i rotated.mp4 x.png` writes them upright).
  REQUIRE(make_clip("-loop 1 -i '" + face + "' -frames:v 6 -r 25 -vf scale=320:320,crop=320:256,transpose=1 -c:v libx264 "
                    "-pix_fmt yuv420p '" + side + "'"));
  REQUIRE(make_clip("-i '" + side + "' -c copy -metadata:s:v:0 rotate=90 '" + clip + "'"));
  gpen::detail::VideoReader reader(clip);
  CHECK(reader.display_rotation() == 270);  // clockwise: a quarter turn counterclockwise
  const gpen::VideoReport r = gpen::restore_video(classic_restorer(), clip, dir + "/out.mp4");
  CHECK(r.frames == 6);
  CHECK(r.faces == 6);  // dlib finds no sideways face: these were searched upright
  CHECK(r.width == 256);  // the frames as stored
  CHECK(r.height == 320);
  const auto rotation = probe(dir + "/out.mp4", "-select_streams v:0 -show_entries stream_side_data=rotation");
  CHECK(rotation["streams"][0]["side_data_list"][0]["rotation"] == probe(clip, "-select_streams v:0 -show_entries stream_side_data=rotation")["streams"][0]["side_data_list"][0]["rotation"]);
  // The same clip without its matrix: sideways faces, none found.
  CHECK(gpen::restore_video(classic_restorer(), side, dir + "/side-out.mp4").faces == 0);
}
