#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gpen/io.hpp"
#include "gpen/video.hpp"
#include "batch/bounded_queue.hpp"
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

constexpr std::size_t kQueueCapacity = 4;  // frames waiting between two stages

// The restored frames' destination: a video file (encoded, other streams copied) or a folder of
// PNG images, each written into a locked temporary that is renamed onto the output at the end.
class FrameSink {
 public:
  FrameSink(const std::string& output, const VideoOptions& options, const detail::VideoReader& reader,
            std::mutex& reader_mutex)
      : output_(output),
        options_(options),
        reader_(reader),
        reader_mutex_(reader_mutex),
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
    {
      std::lock_guard<std::mutex> lock(reader_mutex_);  // its streams are read from the decoding file
      writer_ = std::make_unique<detail::VideoWriter>(temporary_.name(), container, reader_, width, height, encoding);
    }
    for (PacketPtr& p : waiting_) {
      if (writer_->copies(p->stream_index)) writer_->write_copied(p.get());
    }
    waiting_.clear();
  }

  std::string output_;
  const VideoOptions& options_;
  const detail::VideoReader& reader_;
  std::mutex& reader_mutex_;
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

// What flows between the stages: a frame (decoded, then restored) or a packet of another stream,
// in the order read, so copied streams keep their place beside the frames.
struct Item {
  Image frame;
  std::int64_t pts = 0;
  PacketPtr packet;  // set: a packet of another stream
};

// The first failure of any stage; the others stop when they see the queues closed.
class FirstFailure {
 public:
  void record(std::exception_ptr error, detail::BoundedQueue<Item>& a, detail::BoundedQueue<Item>& b) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = error;
    }
    a.close();
    b.close();
  }
  void rethrow() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::exception_ptr error_;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// GPEN_VIDEO_SERIAL=1: the stages one after the other (bench/video_benchmark.py compares).
bool serial_stages() {
  const char* v = std::getenv("GPEN_VIDEO_SERIAL");
  return v != nullptr && std::string(v) == "1";
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
  std::mutex reader_mutex;  // the decoder reads the file while the writer starts from its streams
  FrameSink sink(output, options, reader, reader_mutex);
  VideoReport report;
  report.output = output;
  const std::int64_t total = reader.frame_estimate();
  const double seconds_per_tick = av_q2d(reader.video_stream()->time_base);

  // The three stages. decode: the next packet's frames, or another stream's packet (false at the
  // end); restore: one frame; write: one item into the output.
  auto decode = [&](std::vector<Item>& items, AVPacket* packet) {
    const auto t = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(reader_mutex);
    auto collect = [&](Image&& frame, std::int64_t pts) { items.push_back(Item{std::move(frame), pts, nullptr}); };
    const bool more = reader.read(packet);
    if (!more) {
      reader.decode(nullptr, collect);  // drain the decoder
    } else if (packet->stream_index == reader.video_index()) {
      reader.decode(packet, collect);
    } else {
      items.push_back(Item{Image(), 0, PacketPtr(av_packet_clone(packet))});
    }
    av_packet_unref(packet);
    report.decode_s += seconds_since(t);
    return more;
  };
  detail::FaceTracker tracker(options.smoothing);
  detail::FaceFollower follower;
  std::int64_t index = 0;
  auto restore = [&](Item& item) {
    const auto t = std::chrono::steady_clock::now();
    std::vector<DetectedFace> found;
    if (index++ % options.detect_every == 0) {
      found = restorer.detect(item.frame.view(), params);
      ++report.detections;
      if (options.detect_every > 1) follower.found(item.frame, found);
    } else {
      found = follower.follow(item.frame);
    }
    std::vector<DetectedFace> faces;
    for (const detail::FaceTracker::Tracked& tracked : tracker.update(found, item.pts * seconds_per_tick)) {
      faces.push_back(tracked.face);
    }
    Result result = restorer.restore(item.frame.view(), faces, params);
    if (report.frames == 0) {
      report.width = result.image.width();
      report.height = result.image.height();
    }
    ++report.frames;
    report.faces += static_cast<std::int64_t>(result.faces.size());
    item.frame = std::move(result.image);
    report.compute_s += seconds_since(t);
  };
  auto progress = [&] {
    if (!options.progress) return;
    VideoProgress p;
    p.frames_done = report.frames;
    p.frames_total = std::max(total, report.frames);
    p.elapsed_s = seconds_since(start);
    if (total > report.frames) p.eta_s = p.elapsed_s / report.frames * (total - report.frames);
    options.progress(p);
  };
  auto write = [&](const Item& item) {
    const auto t = std::chrono::steady_clock::now();
    if (item.packet) {
      sink.other(item.packet.get());
    } else {
      sink.write(item.frame, item.pts);
    }
    report.encode_s += seconds_since(t);
  };
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw Error(ErrorCode::OutOfMemory, "cannot allocate a packet");

  if (serial_stages()) {
    // One stage after the other on this thread (for measuring what the pipeline buys).
    for (bool more = true; more;) {
      std::vector<Item> items;
      more = decode(items, packet.get());
      for (Item& item : items) {
        if (!item.packet) restore(item);
        write(item);
        if (!item.packet) progress();
      }
    }
  } else {
    // The stages at the same time, joined by bounded queues: decode and write on threads of
    // their own, restore on this thread (the progress callback and cancellation stay on the
    // caller's thread). The first failure closes both queues and stops the others.
    detail::BoundedQueue<Item> decoded(kQueueCapacity), restored(kQueueCapacity);
    FirstFailure failure;
    std::thread decoder([&] {
      try {
        for (bool more = true; more;) {
          std::vector<Item> items;
          more = decode(items, packet.get());
          for (Item& item : items) {
            if (!decoded.push(std::move(item))) return;  // a later stage failed
          }
        }
      } catch (...) {
        failure.record(std::current_exception(), decoded, restored);
      }
      decoded.close();
    });
    std::thread writer([&] {
      try {
        while (std::optional<Item> item = restored.pop()) write(*item);
      } catch (...) {
        failure.record(std::current_exception(), decoded, restored);
      }
    });
    try {
      while (std::optional<Item> item = decoded.pop()) {
        if (!item->packet) restore(*item);
        const bool frame = !item->packet;
        if (!restored.push(std::move(*item))) break;
        if (frame) progress();
      }
    } catch (...) {
      failure.record(std::current_exception(), decoded, restored);
    }
    restored.close();
    decoder.join();
    writer.join();
    failure.rethrow();
  }
  if (!sink.started()) throw Error(ErrorCode::DecodeFailed, "no frame of " + input + " could be decoded");
  const auto t = std::chrono::steady_clock::now();
  report.copied_streams = sink.finish();
  report.encode_s += seconds_since(t);
  report.damaged = reader.damaged();
  report.frames_per_track = tracker.frames_per_track();
  report.seconds = seconds_since(start);
  report.compute_busy_fraction = report.seconds > 0 ? std::min(1.0, report.compute_s / report.seconds) : 0.0;
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
