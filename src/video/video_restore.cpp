#include <chrono>
#include <deque>
#include <functional>
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
#include "gpen/param_table.hpp"
#include "gpen/video.hpp"
#include "batch/bounded_queue.hpp"
#include "batch/face_batch.hpp"
#include "device/cuda_support.hpp"
#include "model/torch_errors.hpp"
#include "restorer/restore_engine.hpp"
#include "io/atomic_file.hpp"
#include "video/av_error.hpp"
#include "video/av_packet.hpp"
#include "video/face_follower.hpp"
#include "video/face_tracker.hpp"
#include "video/frame_rotation.hpp"
#include "video/frame_sink.hpp"
#include "video/video_segments.hpp"

extern "C" {
#include <libavutil/log.h>
}
#include "video/video_reader.hpp"
#include "video/video_writer.hpp"

namespace gpen {

namespace fs = std::filesystem;

namespace {


constexpr std::size_t kQueueCapacity = 4;  // frames waiting between two stages

// A folder of frames is named like the output without its extension (out/clip.mp4 -> out/clip).
std::string output_path(const std::string& output, const VideoOptions& options) {
  if (!options.frames_dir) return output;
  fs::path folder(output);
  return folder.replace_extension().string();
}

// What flows between the stages: a frame (decoded, then restored) or a packet of another stream,
// in the order read, so copied streams keep their place beside the frames.
// Resumable runs add markers: segment `segment` ends here, with `state`.
struct Item {
  Image frame;
  std::int64_t pts = 0;
  detail::PacketPtr packet;  // set: a packet of another stream
  int segment = 0;
  bool ends_segment = false;
  detail::SegmentState state;
};

// The resumable segments of a video: a new one starts at the first frame at least
// `seconds` after the start of the current one (timestamps, so every run cuts alike).
class Segmenter {
 public:
  explicit Segmenter(double seconds) : seconds_(seconds) {}
  /// The segment of the frame at `t` seconds; `*starts` says whether it is the segment's first.
  int segment_of(double t, bool* starts) {
    *starts = number_ == 0 || t >= start_ + seconds_ - 1e-6;  // 10 x 0.04 s is a whole 0.4 s
    if (*starts) {
      ++number_;
      start_ = t;
    }
    return number_;
  }
  int current() const { return number_; }

 private:
  double seconds_;
  double start_ = 0.0;
  int number_ = 0;
};

// What a resumed run must match: the input (path, size, time), the model and every parameter.
std::string fingerprint(const Restorer& restorer, const std::string& input, const RestoreParams& params,
                        const VideoOptions& options) {
  std::error_code ec;
  std::string text = fs::weakly_canonical(input, ec).string() + "|" + std::to_string(fs::file_size(input, ec)) + "|" +
                     std::to_string(fs::last_write_time(input, ec).time_since_epoch().count()) + "|" +
                     restorer.model().path + "|" + restorer.model().architecture;
  for (const ParamInfo& p : param_table()) {
    if (p.group == ParamGroup::Restore) text += "|" + p.name + "=" + get_param(params, p.name);
    if (p.group == ParamGroup::Video) text += "|" + p.name + "=" + get_param(options, p.name);
  }
  return text;
}

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
  if (options.resume && options.frames_dir) {
    throw Error(ErrorCode::InvalidArgument, "resume writes a video file in segments; it does not go with frames_dir");
  }
  detail::VideoReader reader(input);
  std::unique_ptr<detail::SegmentStore> segments;
  if (options.resume) {
    // Refused now, not after the last segment: a codec the output's container cannot take.
    detail::check_writable(options.container.empty() ? output : options.container, reader, options.video_codec);
    segments = std::make_unique<detail::SegmentStore>(output, fingerprint(restorer, input, params, options));
  }
  std::mutex reader_mutex;  // the decoder reads the file while the writer starts from its streams
  detail::FrameSink sink(output, options, reader, reader_mutex, segments.get());
  VideoReport report;
  report.output = output;
  const std::int64_t total = reader.frame_estimate();
  const double seconds_per_tick = av_q2d(reader.video_stream()->time_base);
  const int rotation = reader.display_rotation();
  detail::FaceTracker tracker(options.smoothing);
  detail::FaceFollower follower;
  Segmenter segmenter(options.segment_seconds);
  const int segments_done = segments ? segments->completed() : 0;
  if (segments_done > 0) {  // go on from where the last run stopped
    const detail::SegmentState state = segments->state(segments_done);
    tracker.set_state(state.tracker);
    report.frames = report.resumed_frames = state.frames;
    report.faces = state.faces;
    report.detections = state.detections;
    report.width = state.width;
    report.height = state.height;
  }

  // The three stages. decode: the next packet's frames, or another stream's packet (false at the
  // end); restore: one frame; write: one item into the output.
  auto decode = [&](std::vector<Item>& items, AVPacket* packet) {
    const auto t = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(reader_mutex);
    auto collect = [&](Image&& frame, std::int64_t pts) {
      Item item;
      item.frame = std::move(frame);
      item.pts = pts;
      items.push_back(std::move(item));
    };
    const bool more = reader.read(packet);
    if (!more) {
      reader.decode(nullptr, collect);  // drain the decoder
    } else if (packet->stream_index == reader.video_index()) {
      reader.decode(packet, collect);
    } else {
      Item item;
      item.packet.reset(av_packet_clone(packet));
      items.push_back(std::move(item));
    }
    av_packet_unref(packet);
    report.decode_s += seconds_since(t);
    return more;
  };
  std::int64_t index = 0;
  // The state after the frames restored so far (recorded when a resumable segment ends).
  auto state_now = [&] {
    detail::SegmentState state;
    state.tracker = tracker.state();
    state.frames = report.frames;
    state.faces = report.faces;
    state.detections = report.detections;
    state.width = report.width;
    state.height = report.height;
    return state;
  };
  auto segment_end = [&](int segment) {
    Item marker;
    marker.segment = segment;
    marker.ends_segment = true;
    marker.state = state_now();
    return marker;
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
  // The restore stage. Frames are prepared in order (faces searched for or followed, tracked,
  // aligned), the faces of consecutive frames restored together in model batches of up to
  // max_batch (batch/face_batch, as the batch engine does across photos), and the frames
  // finished (pasted) and handed on in order by `emit` (false: a later stage stopped). Packets
  // of other streams keep their place among the frames.
  using Emit = std::function<bool(Item&&)>;
  const detail::RestoreEngine& engine = restorer.engine();
  const detail::DeviceStreamScope stream(engine.device());  // the model's calls all come from this thread
  const std::size_t max_batch = static_cast<std::size_t>(engine.max_batch());
  struct Pending {
    Item item;
    bool is_frame = false;
    detail::PhotoJob job;       // a frame's faces, aligned, and then restored
    std::size_t next_face = 0;  // faces [0, next_face) have been sent to the model
  };
  std::deque<Pending> pending;
  std::size_t waiting_faces = 0;  // faces of pending frames not yet sent to the model
  auto waits_for_model = [&](const Pending& p) {
    return p.is_frame && p.job.needs_model(params) && p.next_face < p.job.face_count();
  };
  auto run_batch = [&] {
    const auto t = std::chrono::steady_clock::now();
    std::vector<detail::JobFaces> jobs;
    for (Pending& p : pending) {
      if (waits_for_model(p)) jobs.push_back({&p.job, &p.next_face});
    }
    const std::vector<detail::FaceSlot> slots = detail::take_next_faces(jobs, max_batch);
    detail::restore_faces(engine, stream, jobs, slots);
    ++report.model_calls;
    waiting_faces -= slots.size();
    report.compute_s += seconds_since(t);
  };
  // Finishes and hands on the frames at the front whose faces are all restored.
  auto finish_ready = [&](const Emit& emit) {
    while (!pending.empty() && !waits_for_model(pending.front())) {
      Pending& p = pending.front();
      const bool is_frame = p.is_frame;
      if (is_frame) {
        const auto t = std::chrono::steady_clock::now();
        Result result = detail::with_torch_errors("restoring a frame", [&] { return engine.finish(std::move(p.job), params); });
        if (rotation != 0) result.image = detail::turned_clockwise(result.image, 360 - rotation);
        if (report.width == 0) {
          report.width = result.image.width();
          report.height = result.image.height();
        }
        p.item.frame = std::move(result.image);
        ++report.frames;
        report.faces += static_cast<std::int64_t>(result.faces.size());
        report.compute_s += seconds_since(t);
      }
      Item item = std::move(p.item);
      pending.pop_front();
      if (!emit(std::move(item))) return false;
      if (is_frame) progress();
    }
    return true;
  };
  auto flush = [&](const Emit& emit) {
    while (waiting_faces > 0) run_batch();
    return finish_ready(emit);
  };
  // A decoded frame or another stream's packet, in the order read.
  auto take = [&](Item&& item, const Emit& emit) {
    if (item.packet) {
      if (pending.empty()) return emit(std::move(item));
      Pending p;
      p.item = std::move(item);
      pending.push_back(std::move(p));
      return true;
    }
    const auto t = std::chrono::steady_clock::now();
    bool starts = false;
    if (segments) item.segment = segmenter.segment_of(item.pts * seconds_per_tick, &starts);
    if (item.segment <= segments_done && segments) {  // restored by an earlier run
      ++index;
      return true;
    }
    if (starts && item.segment - 1 > segments_done) {  // every frame of a segment before its end
      if (!flush(emit) || !emit(segment_end(item.segment - 1))) return false;
    }
    // Faces are found and restored on the frame as it is shown (turned upright).
    Image turned;
    if (rotation != 0) turned = detail::turned_clockwise(item.frame, rotation);
    const Image& upright = rotation != 0 ? turned : item.frame;
    std::vector<DetectedFace> found;
    // A segment starts with a search, so that a resumed run needs no frame before it.
    if (index++ % options.detect_every == 0 || starts) {
      found = restorer.detect(upright.view(), params);
      ++report.detections;
      if (options.detect_every > 1) follower.found(upright, found);
    } else {
      found = follower.follow(upright);
    }
    std::vector<DetectedFace> faces;
    for (const detail::FaceTracker::Tracked& tracked : tracker.update(found, item.pts * seconds_per_tick)) {
      faces.push_back(tracked.face);
    }
    Pending p;
    p.is_frame = true;
    p.job = detail::with_torch_errors("restoring a frame", [&] {
      return engine.prepare(upright.view(), params, /*aligned=*/false, /*keep_crops=*/false, "frame", &faces);
    });
    if (p.job.needs_model(params)) waiting_faces += p.job.face_count();
    item.frame = Image();  // the job holds the pixels now
    p.item = std::move(item);
    pending.push_back(std::move(p));
    report.compute_s += seconds_since(t);
    while (waiting_faces >= max_batch) run_batch();
    return finish_ready(emit);
  };
  // After the last frame: the end of the last segment, if this run wrote it.
  auto last_segment_end = [&]() -> std::optional<Item> {
    if (!segments || segmenter.current() <= segments_done) return std::nullopt;
    return segment_end(segmenter.current());
  };
  auto write = [&](const Item& item) {
    const auto t = std::chrono::steady_clock::now();
    if (item.packet) {
      sink.other(item.packet.get());
    } else if (item.ends_segment) {
      sink.end_segment(item.segment, item.state);
    } else {
      sink.write(item.frame, item.pts, item.segment);
    }
    report.encode_s += seconds_since(t);
  };
  detail::PacketPtr packet(av_packet_alloc());
  if (!packet) throw Error(ErrorCode::OutOfMemory, "cannot allocate a packet");

  if (serial_stages()) {
    // One stage after the other on this thread (for measuring what the pipeline buys).
    const Emit write_now = [&](Item&& item) {
      write(item);
      return true;
    };
    for (bool more = true; more;) {
      std::vector<Item> items;
      more = decode(items, packet.get());
      for (Item& item : items) take(std::move(item), write_now);
    }
    flush(write_now);
    if (std::optional<Item> marker = last_segment_end()) write(*marker);
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
      const Emit hand_on = [&](Item&& item) { return restored.push(std::move(item)); };
      bool open = true;
      for (;;) {
        // While faces wait for the model, a frame not decoded yet does not hold them up.
        std::optional<Item> item = waiting_faces == 0 ? decoded.pop() : decoded.try_pop();
        if (!item) {
          if (waiting_faces == 0) break;  // closed and drained
          run_batch();
          open = finish_ready(hand_on);
        } else {
          open = take(std::move(*item), hand_on);
        }
        if (!open) break;
      }
      open = open && flush(hand_on);
      if (std::optional<Item> marker = last_segment_end(); marker && open) restored.push(std::move(*marker));
    } catch (...) {
      failure.record(std::current_exception(), decoded, restored);
    }
    restored.close();
    decoder.join();
    writer.join();
    failure.rethrow();
  }
  if (report.frames == 0) throw Error(ErrorCode::DecodeFailed, "no frame of " + input + " could be decoded");
  const auto t = std::chrono::steady_clock::now();
  report.copied_streams = sink.finish(input);
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
