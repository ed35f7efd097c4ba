#include "video/video_reader.hpp"

extern "C" {
#include <libavutil/display.h>
}

#include <cmath>
#include <utility>

#include <filesystem>

#include "video/av_error.hpp"

namespace gpen::detail {

VideoReader::VideoReader(const std::string& path) : path_(path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::FileNotFound, "video not found: " + path);
  try {
    check_av(avformat_open_input(&format_, path.c_str(), nullptr, nullptr), ErrorCode::DecodeFailed,
             "cannot open " + path + " as a video");
    check_av(avformat_find_stream_info(format_, nullptr), ErrorCode::DecodeFailed, "cannot read the streams of " + path);
    video_index_ = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (video_index_ < 0) throw Error(ErrorCode::DecodeFailed, path + " has no video stream");
    const AVCodecParameters* par = video_stream()->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
      throw Error(ErrorCode::DecodeFailed, path + ": no decoder for its video codec (" +
                                               std::string(avcodec_get_name(par->codec_id)) + ")");
    }
    decoder_ = avcodec_alloc_context3(codec);
    frame_ = av_frame_alloc();
    if (!decoder_ || !frame_) throw Error(ErrorCode::OutOfMemory, "cannot allocate a decoder for " + path);
    check_av(avcodec_parameters_to_context(decoder_, par), ErrorCode::DecodeFailed, "cannot set up the decoder of " + path);
    decoder_->pkt_timebase = video_stream()->time_base;
    decoder_->thread_count = 0;  // FFmpeg picks
    check_av(avcodec_open2(decoder_, codec, nullptr), ErrorCode::DecodeFailed, "cannot open the decoder of " + path);
    if (decoder_->width <= 0 || decoder_->height <= 0) throw Error(ErrorCode::DecodeFailed, path + ": the video has no frame size");
  } catch (...) {
    release();
    throw;
  }
}

VideoReader::~VideoReader() { release(); }

int VideoReader::display_rotation() const {
  const uint8_t* matrix = av_stream_get_side_data(video_stream(), AV_PKT_DATA_DISPLAYMATRIX, nullptr);
  if (!matrix) return 0;
  // av_display_rotation_get: counterclockwise degrees; as FFmpeg's own autorotation, negated.
  const double degrees = -av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
  if (std::isnan(degrees)) return 0;
  const int quarter = static_cast<int>(std::lround(degrees / 90.0));
  return ((quarter % 4) + 4) % 4 * 90;
}

void VideoReader::release() {
  sws_freeContext(to_bgr_);
  to_bgr_ = nullptr;
  av_frame_free(&frame_);
  avcodec_free_context(&decoder_);
  avformat_close_input(&format_);
}

std::int64_t VideoReader::frame_estimate() const {
  const AVStream* s = video_stream();
  if (s->nb_frames > 0) return s->nb_frames;
  const AVRational rate = av_guess_frame_rate(format_, const_cast<AVStream*>(s), nullptr);
  if (format_->duration > 0 && rate.num > 0 && rate.den > 0) {
    return static_cast<std::int64_t>(static_cast<double>(format_->duration) / AV_TIME_BASE * av_q2d(rate) + 0.5);
  }
  return 0;
}

bool VideoReader::read(AVPacket* packet) {
  const int rc = av_read_frame(format_, packet);
  if (rc == AVERROR_EOF) return false;
  if (rc < 0) {
    ++damaged_;  // a truncated or damaged file: what was read so far is kept
    return false;
  }
  return true;
}

void VideoReader::decode(const AVPacket* packet, const std::function<void(Image&&, std::int64_t)>& on_frame) {
  const int sent = avcodec_send_packet(decoder_, packet);
  if (sent < 0 && sent != AVERROR_EOF) {
    ++damaged_;
    return;
  }
  for (;;) {
    const int rc = avcodec_receive_frame(decoder_, frame_);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    if (rc < 0) {
      ++damaged_;
      return;
    }
    emit(on_frame);
    av_frame_unref(frame_);
  }
}

void VideoReader::emit(const std::function<void(Image&&, std::int64_t)>& on_frame) {
  const int w = frame_->width, h = frame_->height;
  to_bgr_ = sws_getCachedContext(to_bgr_, w, h, static_cast<AVPixelFormat>(frame_->format), w, h, AV_PIX_FMT_BGR24,
                                 SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!to_bgr_) throw Error(ErrorCode::DecodeFailed, path_ + ": cannot convert its frames to BGR");
  Image bgr(w, h, 3, ColorOrder::BGR);
  uint8_t* planes[1] = {bgr.data()};
  const int strides[1] = {w * 3};
  sws_scale(to_bgr_, frame_->data, frame_->linesize, 0, h, planes, strides);
  std::int64_t pts = frame_->best_effort_timestamp;
  if (pts == AV_NOPTS_VALUE) pts = next_pts_;
#if LIBAVUTIL_VERSION_MAJOR >= 58
  const std::int64_t duration = frame_->duration > 0 ? frame_->duration : 1;
#else
  const std::int64_t duration = frame_->pkt_duration > 0 ? frame_->pkt_duration : 1;
#endif
  next_pts_ = pts + duration;
  on_frame(std::move(bgr), pts);
}

}  // namespace gpen::detail
