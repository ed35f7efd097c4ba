#include "video/frame_sink.hpp"

#include <cstdio>
#include <filesystem>

#include "gpen/io.hpp"
#include "video/video_reader.hpp"

namespace gpen::detail {

namespace fs = std::filesystem;

FrameSink::FrameSink(const std::string& output, const VideoOptions& options, const VideoReader& reader,
                     std::mutex& reader_mutex, SegmentStore* segments)
    : output_(output),
      options_(options),
      reader_(reader),
      reader_mutex_(reader_mutex),
      segments_(segments),
      temporary_(output, options.frames_dir ? LockedTemporary::Kind::Folder : LockedTemporary::Kind::File) {}

FrameSink::~FrameSink() {
  for (AVPacket*& p : waiting_) av_packet_free(&p);
}

std::string FrameSink::container_name() const { return options_.container.empty() ? output_ : options_.container; }

VideoEncoding FrameSink::encoding() const {
  VideoEncoding e;
  e.codec = options_.video_codec;
  e.crf = options_.crf;
  e.bitrate_kbps = options_.bitrate;
  e.segment = segments_ != nullptr;
  return e;
}

void FrameSink::write(const Image& frame, std::int64_t pts, int segment) {
  if (!started_) start(frame.width(), frame.height());
  ++frames_;
  if (options_.frames_dir) {
    char name[32];
    std::snprintf(name, sizeof name, "%06lld.png", static_cast<long long>(frames_));
    write_image((fs::path(temporary_.name()) / name).string(), frame.view());
    return;
  }
  if (segments_ && (!writer_ || segment != segment_)) {
    segment_ = segment;
    segment_file_ = std::make_unique<LockedTemporary>(segments_->segment_path(segment));
    std::lock_guard<std::mutex> lock(reader_mutex_);  // its streams are read from the decoding file
    writer_ = std::make_unique<VideoWriter>(segment_file_->name(), "nut", reader_, frame.width(), frame.height(),
                                            encoding());
  }
  writer_->write_frame(frame, pts);
}

void FrameSink::other(AVPacket* packet) {
  if (options_.frames_dir || segments_) return;  // segments: the streams are copied when joined
  if (!started_) {
    waiting_.push_back(av_packet_clone(packet));
  } else if (writer_->copies(packet->stream_index)) {
    writer_->write_copied(packet);
  }
}

void FrameSink::end_segment(int segment, const SegmentState& state) {
  if (!segments_ || !writer_ || segment != segment_) return;
  writer_->finish();
  writer_.reset();
  segment_file_->commit();
  segment_file_.reset();
  segments_->complete(segment, state);
}

int FrameSink::finish(const std::string& input) {
  int copied = 0;
  if (segments_) {
    VideoReader again(input);  // its audio and subtitles, from the start
    copied = join_segments(segments_->segments(), again, temporary_.name(), container_name());
  } else if (writer_) {
    writer_->finish();
    copied = writer_->copied_streams();
    writer_.reset();
  }
  temporary_.commit();
  if (segments_) segments_->remove();
  return copied;
}

void FrameSink::start(int width, int height) {
  started_ = true;
  if (options_.frames_dir || segments_) return;
  {
    std::lock_guard<std::mutex> lock(reader_mutex_);  // its streams are read from the decoding file
    writer_ = std::make_unique<VideoWriter>(temporary_.name(), container_name(), reader_, width, height, encoding());
  }
  for (AVPacket*& p : waiting_) {
    if (writer_->copies(p->stream_index)) writer_->write_copied(p);
    av_packet_free(&p);
  }
  waiting_.clear();
}

}  // namespace gpen::detail
