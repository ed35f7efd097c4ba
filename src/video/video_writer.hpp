#pragma once
// The restored video: frames encoded (H.264 by default) with the input's timestamps, and the
// input's audio and subtitle streams copied packet for packet (no re-encoding), into the
// container the output name asks for.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <string>
#include <vector>

#include "gpen/image.hpp"

namespace gpen::detail {

class VideoReader;

struct VideoEncoding {
  std::string codec = "h264";  // h264, h265, vp9 or ffv1 (VideoOptions::video_codec)
  int crf = 18;                // h264/h265 0-51, vp9 0-63; ffv1 is lossless
  int bitrate_kbps = 0;        // instead of crf when > 0
  /// A segment of a resumable video: the video stream alone, without B-frames (so segments
  /// encoded apart join into one stream with rising decoding timestamps).
  bool segment = false;
  /// Instead of encoding: this stream's packets are copied (write_video_packet), e.g. when the
  /// segments are joined.
  const AVStream* copy_from = nullptr;
};

/// The container a file name asks for (clip.mkv), or one named alone (mkv, matroska); nullptr
/// when FFmpeg writes no such container.
const AVOutputFormat* container_named(const std::string& name);

/// Throws what VideoWriter would (InvalidArgument) if `codec` cannot be written into the
/// container `container_name` asks for (see VideoWriter), before any work is done.
void check_writable(const std::string& container_name, const VideoReader& reader, const std::string& codec);

class VideoWriter {
 public:
  /// Writes `path` in the container guessed from `container_name` (e.g. the final output name
  /// while `path` is its temporary). Streams of `reader` other than its video are copied where
  /// the container takes their codec. Throws gpen::Error(EncodeFailed, InvalidArgument).
  VideoWriter(const std::string& path, const std::string& container_name, const VideoReader& reader, int width,
              int height, const VideoEncoding& encoding);
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  /// One frame (BGR; another size than width x height is scaled to it) at `pts`, in the input
  /// video stream's time base.
  void write_frame(const Image& bgr, std::int64_t pts);
  /// Whether packets of input stream `index` are copied.
  bool copies(int index) const;
  /// A packet of a copied input stream (its reference is taken).
  void write_copied(AVPacket* packet);
  /// With VideoEncoding::copy_from: a packet of that stream, in `time_base` (its reference is taken).
  void write_video_packet(AVPacket* packet, AVRational time_base);
  /// Drains the encoder and writes the trailer: the file is complete after this.
  void finish();
  /// Input streams copied.
  int copied_streams() const;

 private:
  void open_encoder(const AVOutputFormat* container, const VideoReader& reader, int width, int height,
                    const VideoEncoding& encoding);
  void release();
  void drain(bool flush);

  std::string path_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* encoder_ = nullptr;
  AVStream* video_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  SwsContext* from_bgr_ = nullptr;
  AVRational input_video_time_base_{1, 1};
  AVRational frame_rate_{0, 1};
  std::int64_t last_pts_ = AV_NOPTS_VALUE;  // of the last frame encoded, encoder time base  // the input's (guessed), for packets without a duration
  std::vector<int> copied_to_;                 // input stream index -> output index, -1: not copied
  std::vector<AVRational> input_time_bases_;  // per input stream
  bool finished_ = false;
};

}  // namespace gpen::detail
