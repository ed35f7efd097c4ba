#pragma once
// A video file opened with FFmpeg's libraries: its best video stream decoded to 8-bit BGR frames
// with their timestamps, every packet of the other streams handed out as read (for stream copy).

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <functional>
#include <string>

#include "gpen/image.hpp"

namespace gpen::detail {

class VideoReader {
 public:
  /// Throws gpen::Error: FileNotFound, DecodeFailed (not a media file FFmpeg can open, no video
  /// stream, no decoder for it).
  explicit VideoReader(const std::string& path);
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  AVFormatContext* format() const { return format_; }
  AVStream* video_stream() const { return format_->streams[video_index_]; }
  int video_index() const { return video_index_; }
  /// Degrees (0, 90, 180, 270) the frames are turned clockwise for display: the stream's display
  /// matrix (a phone's rotation), to the nearest quarter turn.
  int display_rotation() const;
  /// Frames the container announces (or duration x rate); 0 when unknown.
  std::int64_t frame_estimate() const;

  /// The next packet of any stream into `packet` (the caller unrefs it); false at the end. A read
  /// error other than the end (a truncated or damaged file) ends the reading and is counted.
  bool read(AVPacket* packet);
  /// Decodes a packet of the video stream (nullptr: drain the decoder at the end) and calls
  /// `on_frame` with each frame and its timestamp in the video stream's time base. A packet the
  /// decoder refuses is counted as damaged and skipped.
  void decode(const AVPacket* packet, const std::function<void(Image&&, std::int64_t)>& on_frame);
  /// Packets or reads that failed: what a damaged file lost.
  int damaged() const { return damaged_; }

 private:
  void release();
  void emit(const std::function<void(Image&&, std::int64_t)>& on_frame);

  std::string path_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* decoder_ = nullptr;
  AVFrame* frame_ = nullptr;
  SwsContext* to_bgr_ = nullptr;
  int video_index_ = -1;
  int damaged_ = 0;
  std::int64_t next_pts_ = 0;  // for frames without a timestamp
};

}  // namespace gpen::detail
