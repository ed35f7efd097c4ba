#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gpen/video.hpp"
#include "io/atomic_file.hpp"
#include "video/av_error.hpp"
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

}  // namespace

VideoReport restore_video(const Restorer& restorer, const std::string& input, const std::string& output,
                          const RestoreParams& params, const std::function<void(const VideoProgress&)>& progress) {
  params.validate();
  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  if (output.empty()) throw Error(ErrorCode::InvalidArgument, "the video output path is empty");
  if (fs::exists(output, ec) && fs::equivalent(input, output, ec)) {
    throw Error(ErrorCode::InvalidArgument, "the output " + output + " is the input video");
  }
  // FFmpeg's encoders report their set-up at the INFO level on stderr: unless the host chose a
  // level of its own, only errors are printed.
  if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_ERROR);
  detail::VideoReader reader(input);
  // The batch engine's temporaries (".NAME.tmp-XXXXXX", locked while written): a run killed
  // midway leaves one that the next run writing this output removes.
  detail::LockedTemporary temporary(output);
  VideoReport report;
  report.output = output;
  std::vector<std::int64_t> tracker_frames;
  {
    std::unique_ptr<detail::VideoWriter> writer;
    std::vector<PacketPtr> waiting;  // copied packets read before the first frame fixed the size
    const std::int64_t total = reader.frame_estimate();
    const double seconds_per_tick = av_q2d(reader.video_stream()->time_base);
    detail::FaceTracker tracker;
    auto on_frame = [&](const Image& frame, std::int64_t pts) {
      std::vector<DetectedFace> faces;
      for (const detail::FaceTracker::Tracked& t : tracker.update(restorer.detect(frame.view(), params), pts * seconds_per_tick)) {
        faces.push_back(t.face);
      }
      const Result restored = restorer.restore(frame.view(), faces, params);
      if (!writer) {
        writer = std::make_unique<detail::VideoWriter>(temporary.name(), output, reader, restored.image.width(),
                                                       restored.image.height(), detail::VideoEncoding{});
        report.width = restored.image.width();
        report.height = restored.image.height();
        for (PacketPtr& p : waiting) {
          if (writer->copies(p->stream_index)) writer->write_copied(p.get());
        }
        waiting.clear();
      }
      writer->write_frame(restored.image, pts);
      ++report.frames;
      report.faces += static_cast<std::int64_t>(restored.faces.size());
      if (progress) {
        VideoProgress p;
        p.frames_done = report.frames;
        p.frames_total = std::max(total, report.frames);
        p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (total > report.frames) p.eta_s = p.elapsed_s / report.frames * (total - report.frames);
        progress(p);
      }
    };
    PacketPtr packet(av_packet_alloc());
    if (!packet) throw Error(ErrorCode::OutOfMemory, "cannot allocate a packet");
    while (reader.read(packet.get())) {
      if (packet->stream_index == reader.video_index()) {
        reader.decode(packet.get(), on_frame);
      } else if (writer) {
        if (writer->copies(packet->stream_index)) writer->write_copied(packet.get());
      } else {
        waiting.emplace_back(av_packet_clone(packet.get()));
      }
      av_packet_unref(packet.get());
    }
    reader.decode(nullptr, on_frame);
    if (!writer) throw Error(ErrorCode::DecodeFailed, "no frame of " + input + " could be decoded");
    writer->finish();
    report.copied_streams = writer->copied_streams();
    tracker_frames = tracker.frames_per_track();
    writer.reset();
    temporary.commit();
  }
  report.damaged = reader.damaged();
  report.frames_per_track = tracker_frames;
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
