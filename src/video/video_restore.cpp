#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gpen/io.hpp"
#include "gpen/video.hpp"
#include "io/atomic_file.hpp"
#include "video/av_error.hpp"
#include "video/face_follower.hpp"
#include "video/face_tracker.hpp"

extern "C" {
#include <libavutil/log.h>
}
#include "video/video_reader.hpp"
#include "video/video_writer.hpp"

namespace gpen {

namespace fs = std::filesystem;

namespace {

struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

// The restored frames' destination: a video file (encoded, other streams copied) or a folder of
// PNG images, each written into a locked temporary that is renamed onto the output at the end.
class FrameSink {
 public:
  FrameSink(const std::string& output, const VideoOptions& options, const detail::VideoReader& reader)
      : output_(output),
        options_(options),
        reader_(reader),
        temporary_(output, options.frames_dir ? detail::LockedTemporary::Kind::Folder : detail::LockedTemporary::Kind::File) {}

  bool started() const { return started_; }

  void write(const Image& frame, std::int64_t pts) {
    if (!started_) start(frame.width(), frame.height());
    ++frames_;
    if (options_.frames_dir) {
      char name[32];
      std::snprintf(name, sizeof name, "%06lld.png", static_cast<long long>(frames_));
      write_image((fs::path(temporary_.name()) / name).string(), frame.view());
    } else {
      writer_->write_frame(frame, pts);
    }
  }

  // A packet of another stream: copied when the video's size is known, kept until then.
  void other(AVPacket* packet) {
    if (options_.frames_dir) return;
    if (!started_) {
      waiting_.emplace_back(av_packet_clone(packet));
    } else if (writer_->copies(packet->stream_index)) {
      writer_->write_copied(packet);
    }
  }

  // Completes the output under its name; returns the streams copied.
  int finish() {
    int copied = 0;
    if (writer_) {
      writer_->finish();
      copied = writer_->copied_streams();
      writer_.reset();
    }
    temporary_.commit();
    return copied;
  }

 private:
  void start(int width, int height) {
    started_ = true;
    if (options_.frames_dir) return;
    detail::VideoEncoding encoding;
    encoding.codec = options_.video_codec;
    encoding.crf = options_.crf;
    encoding.bitrate_kbps = options_.bitrate;
    const std::string container = options_.container.empty() ? output_ : options_.container;
    writer_ = std::make_unique<detail::VideoWriter>(temporary_.name(), container, reader_, width, height, encoding);
    for (PacketPtr& p : waiting_) {
      if (writer_->copies(p->stream_index)) writer_->write_copied(p.get());
    }
    waiting_.clear();
  }

  std::string output_;
  const VideoOptions& options_;
  const detail::VideoReader& reader_;
  detail::LockedTemporary temporary_;
  std::unique_ptr<detail::VideoWriter> writer_;
  std::vector<PacketPtr> waiting_;
  std::int64_t frames_ = 0;
  bool started_ = false;
};

// A folder of frames is named like the output without its extension (out/clip.mp4 -> out/clip).
std::string output_path(const std::string& output, const VideoOptions& options) {
  if (!options.frames_dir) return output;
  fs::path folder(output);
  return folder.replace_extension().string();
}

}  // namespace

VideoReport restore_video(const Restorer& restorer, const std::string& input, const std::string& output_name,
                          const RestoreParams& params, const VideoOptions& options) {
  params.validate();
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  if (output_name.empty()) throw Error(ErrorCode::InvalidArgument, "the video output path is empty");
  const std::string output = output_path(output_name, options);
  if (fs::exists(output, ec) && fs::equivalent(input, output, ec)) {
    throw Error(ErrorCode::InvalidArgument, "the output " + output + " is the input video");
  }
  if (!options.container.empty() && !detail::container_named(options.container)) {
    throw Error(ErrorCode::InvalidArgument, "container '" + options.container + "' is not one FFmpeg writes (mp4, mkv, mov, webm, ...)");
  }
  // FFmpeg's encoders report their set-up at the INFO level on stderr: unless the host chose a
  // level of its own, only errors are printed.
  if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_ERROR);
  detail::VideoReader reader(input);
  FrameSink sink(output, options, reader);
  VideoReport report;
  report.output = output;
  const std::int64_t total = reader.frame_estimate();
  const double seconds_per_tick = av_q2d(reader.video_stream()->time_base);
  detail::FaceTracker tracker(options.smoothing);
  detail::FaceFollower follower;
  std::int64_t index = 0;
  auto on_frame = [&](const Image& frame, std::int64_t pts) {
    std::vector<DetectedFace> found;
    if (index++ % options.detect_every == 0) {
      found = restorer.detect(frame.view(), params);
      ++report.detections;
      if (options.detect_every > 1) follower.found(frame, found);
    } else {
      found = follower.follow(frame);
    }
    std::vector<DetectedFace> faces;
    for (const detail::FaceTracker::Tracked& t : tracker.update(found, pts * seconds_per_tick)) faces.push_back(t.face);
    const Result restored = restorer.restore(frame.view(), faces, params);
    if (!sink.started()) {
      report.width = restored.image.width();
      report.height = restored.image.height();
    }
    sink.write(restored.image, pts);
    ++report.frames;
    report.faces += static_cast<std::int64_t>(restored.faces.size());
    if (options.progress) {
      VideoProgress p;
      p.frames_done = report.frames;
      p.frames_total = std::max(total, report.frames);
      p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (total > report.frames) p.eta_s = p.elapsed_s / report.frames * (total - report.frames);
      options.progress(p);
    }
  };
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw Error(ErrorCode::OutOfMemory, "cannot allocate a packet");
  while (reader.read(packet.get())) {
    if (packet->stream_index == reader.video_index()) {
      reader.decode(packet.get(), on_frame);
    } else {
      sink.other(packet.get());
    }
    av_packet_unref(packet.get());
  }
  reader.decode(nullptr, on_frame);
  if (!sink.started()) throw Error(ErrorCode::DecodeFailed, "no frame of " + input + " could be decoded");
  report.copied_streams = sink.finish();
  report.damaged = reader.damaged();
  report.frames_per_track = tracker.frames_per_track();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

bool is_video_file(const std::string& path) {
  AVFormatContext* format = nullptr;
  if (avformat_open_input(&format, path.c_str(), nullptr, nullptr) < 0) return false;
  const std::string name = format->iformat->name ? format->iformat->name : "";
  // Still images (FFmpeg reads them as one-frame streams: image2, png_pipe, ...) and GIFs stay
  // images: the image path reads them, or says why it cannot.
  bool video = name.find("image2") == std::string::npos && name.find("_pipe") == std::string::npos && name != "gif" &&
               avformat_find_stream_info(format, nullptr) >= 0 &&
               av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0) >= 0;
  avformat_close_input(&format);
  return video;
}

}  // namespace gpen
