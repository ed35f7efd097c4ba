#include "video/video_writer.hpp"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <initializer_list>

#include "video/av_error.hpp"
#include "video/video_reader.hpp"

namespace gpen::detail {

namespace {

// The encoder of a VideoOptions codec name: the usual library's, else FFmpeg's default for it.
const AVCodec* find_encoder(const std::string& name) {
  struct Known {
    const char* name;
    const char* encoder;
    AVCodecID id;
  };
  static const Known known[] = {{"h264", "libx264", AV_CODEC_ID_H264},
                                {"h265", "libx265", AV_CODEC_ID_HEVC},
                                {"vp9", "libvpx-vp9", AV_CODEC_ID_VP9},
                                {"ffv1", "ffv1", AV_CODEC_ID_FFV1}};
  for (const Known& k : known) {
    if (name != k.name) continue;
    if (const AVCodec* codec = avcodec_find_encoder_by_name(k.encoder)) return codec;
    return avcodec_find_encoder(k.id);
  }
  return nullptr;
}

// The first of `wanted` the encoder takes (its list ends with AV_PIX_FMT_NONE; no list: any).
AVPixelFormat pixel_format(const AVCodec* codec, std::initializer_list<AVPixelFormat> wanted) {
  if (!codec->pix_fmts) return *wanted.begin();
  for (AVPixelFormat w : wanted) {
    for (const AVPixelFormat* f = codec->pix_fmts; *f != AV_PIX_FMT_NONE; ++f) {
      if (*f == w) return w;
    }
  }
  return codec->pix_fmts[0];
}

// Quality, rate and the encoders' own settings.
void configure(AVCodecContext* encoder, const AVCodec* codec, const VideoEncoding& encoding) {
  const std::string& name = encoding.codec;
  const bool lossless = name == "ffv1";
  if (!lossless && encoding.bitrate_kbps > 0) {
    encoder->bit_rate = static_cast<std::int64_t>(encoding.bitrate_kbps) * 1000;
  } else if (!lossless) {
    const int most = name == "vp9" ? 63 : 51;
    if (encoding.crf > most) {
      throw Error(ErrorCode::InvalidArgument, "crf for " + name + " must be in 0-" + std::to_string(most) + ", got " +
                                                  std::to_string(encoding.crf));
    }
    av_opt_set_int(encoder->priv_data, "crf", encoding.crf, 0);
    if (name == "vp9") encoder->bit_rate = 0;  // constant quality
  }
  if (encoding.segment) encoder->max_b_frames = 0;
  if (std::string(codec->name) == "libx265") {
    av_opt_set(encoder->priv_data, "x265-params", encoding.segment ? "log-level=error:bframes=0" : "log-level=error", 0);
  }
  if (std::string(codec->name) == "libvpx-vp9") {
    av_opt_set_int(encoder->priv_data, "cpu-used", 4, 0);  // libvpx's default (1) is several times slower
    av_opt_set_int(encoder->priv_data, "row-mt", 1, 0);
  }
}

// For a name FFmpeg does not know (clip.bin), the input's own container (the first of its
// demuxer's names that is also a muxer: mov, matroska...).
const AVOutputFormat* output_container(const std::string& name, const AVInputFormat* input) {
  if (const AVOutputFormat* by_name = container_named(name)) return by_name;
  std::string names = input && input->name ? input->name : "";
  std::size_t start = 0;
  while (start <= names.size()) {
    const std::size_t end = std::min(names.find(',', start), names.size());
    const std::string one = names.substr(start, end - start);
    if (const AVOutputFormat* f = av_guess_format(one.c_str(), nullptr, nullptr)) return f;
    start = end + 1;
  }
  return nullptr;
}

// avformat_query_codec: 1 yes, 0 no, negative: the muxer keeps no list (mpegts): try it.
bool takes(const AVOutputFormat* container, AVCodecID codec) {
  return avformat_query_codec(container, codec, FF_COMPLIANCE_NORMAL) != 0;
}

// The container `name` asks for (else the input's); throws when there is none.
const AVOutputFormat* required_container(const std::string& name, const AVInputFormat* input) {
  const AVOutputFormat* container = output_container(name, input);
  if (!container) {
    throw Error(ErrorCode::InvalidArgument, "no video container is known for the name " + name +
                                                " nor for the input's (use .mp4, .mkv, .mov, ...)");
  }
  return container;
}

// The encoder of a VideoOptions codec name; throws when this FFmpeg has none.
const AVCodec* required_encoder(const std::string& name) {
  const AVCodec* codec = find_encoder(name);
  if (!codec) throw Error(ErrorCode::InvalidArgument, "this FFmpeg has no " + name + " encoder");
  return codec;
}

// Throws unless `container` takes video of `codec` (named `codec_name` in the message).
void require_takes(const AVOutputFormat* container, AVCodecID codec, const std::string& codec_name) {
  if (!takes(container, codec)) {
    throw Error(ErrorCode::InvalidArgument,
                std::string("the ") + container->name + " container does not take " + codec_name + " video");
  }
}

bool copyable(const AVStream* stream, const AVOutputFormat* container) {
  const AVMediaType type = stream->codecpar->codec_type;
  if (type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE) return false;
  return takes(container, stream->codecpar->codec_id);
}

}  // namespace

const AVOutputFormat* container_named(const std::string& name) {
  if (name.empty()) return nullptr;
  if (const AVOutputFormat* by_name = av_guess_format(nullptr, name.c_str(), nullptr)) return by_name;
  if (name.find_first_of("./") == std::string::npos) {  // a container's own name (matroska) or extension (mkv)
    if (const AVOutputFormat* f = av_guess_format(name.c_str(), nullptr, nullptr)) return f;
    if (const AVOutputFormat* f = av_guess_format(nullptr, ("x." + name).c_str(), nullptr)) return f;
  }
  return nullptr;
}

void check_writable(const std::string& container_name, const VideoReader& reader, const std::string& codec_name) {
  const AVCodec* codec = required_encoder(codec_name);
  require_takes(required_container(container_name, reader.format()->iformat), codec->id, codec->name);
}

VideoWriter::VideoWriter(const std::string& path, const std::string& container_name, const VideoReader& reader,
                         int width, int height, const VideoEncoding& encoding)
    : path_(path) {
  try {
    const AVOutputFormat* container = required_container(container_name, reader.format()->iformat);
    check_av(avformat_alloc_output_context2(&format_, container, nullptr, path.c_str()), ErrorCode::EncodeFailed,
             "cannot set up " + container_name);
    const AVStream* in_video = reader.video_stream();
    input_video_time_base_ = in_video->time_base;
    frame_rate_ = av_guess_frame_rate(reader.format(), const_cast<AVStream*>(in_video), nullptr);
    video_ = avformat_new_stream(format_, nullptr);
    if (!video_) throw Error(ErrorCode::OutOfMemory, "cannot add the video stream");
    if (encoding.copy_from) {
      const AVCodecID copied = encoding.copy_from->codecpar->codec_id;
      require_takes(container, copied, avcodec_get_name(copied));
      check_av(avcodec_parameters_copy(video_->codecpar, encoding.copy_from->codecpar), ErrorCode::EncodeFailed,
               "cannot copy the video stream");
      video_->codecpar->codec_tag = 0;
      video_->time_base = encoding.copy_from->time_base;
      video_->sample_aspect_ratio = encoding.copy_from->codecpar->sample_aspect_ratio;
    } else {
      open_encoder(container, reader, width, height, encoding);
    }
    av_dict_copy(&video_->metadata, in_video->metadata, 0);
    // Rotation metadata stays with the frames it describes.
    std::size_t matrix_size = 0;
    if (const uint8_t* matrix = av_stream_get_side_data(in_video, AV_PKT_DATA_DISPLAYMATRIX, &matrix_size)) {
      if (uint8_t* copy = av_stream_new_side_data(video_, AV_PKT_DATA_DISPLAYMATRIX, matrix_size)) {
        std::copy(matrix, matrix + matrix_size, copy);
      }
    }
    const AVFormatContext* in = reader.format();
    copied_to_.assign(in->nb_streams, -1);
    input_time_bases_.resize(in->nb_streams);
    for (unsigned i = 0; i < in->nb_streams; ++i) {
      const AVStream* s = in->streams[i];
      input_time_bases_[i] = s->time_base;
      if (static_cast<int>(i) == reader.video_index() || encoding.segment || !copyable(s, container)) continue;
      AVStream* out = avformat_new_stream(format_, nullptr);
      if (!out) throw Error(ErrorCode::OutOfMemory, "cannot add a stream");
      check_av(avcodec_parameters_copy(out->codecpar, s->codecpar), ErrorCode::EncodeFailed, "cannot copy a stream");
      out->codecpar->codec_tag = 0;
      out->time_base = s->time_base;
      out->disposition = s->disposition;
      av_dict_copy(&out->metadata, s->metadata, 0);
      copied_to_[i] = out->index;
    }
    av_dict_copy(&format_->metadata, in->metadata, 0);
    if (!(format_->oformat->flags & AVFMT_NOFILE)) {
      check_av(avio_open(&format_->pb, path.c_str(), AVIO_FLAG_WRITE), ErrorCode::EncodeFailed, "cannot write " + path);
    }
    check_av(avformat_write_header(format_, nullptr), ErrorCode::EncodeFailed, "cannot start " + path);
  } catch (...) {
    release();
    throw;
  }
}

void VideoWriter::open_encoder(const AVOutputFormat* container, const VideoReader& reader, int width, int height,
                               const VideoEncoding& encoding) {
  const AVCodec* codec = required_encoder(encoding.codec);
  require_takes(container, codec->id, codec->name);
  const AVStream* in_video = reader.video_stream();
  encoder_ = avcodec_alloc_context3(codec);
  frame_ = av_frame_alloc();
  packet_ = av_packet_alloc();
  if (!encoder_ || !frame_ || !packet_) throw Error(ErrorCode::OutOfMemory, "cannot allocate an encoder");
  encoder_->width = width;
  encoder_->height = height;
  // 4:2:0 needs even sizes; an odd-sized video keeps full chroma rather than losing a row. The
  // lossless codec keeps the frames' own colours (no conversion to YUV).
  if (encoding.codec == "ffv1") {
    encoder_->pix_fmt = pixel_format(codec, {AV_PIX_FMT_BGR0, AV_PIX_FMT_GBRP, AV_PIX_FMT_YUV444P});
  } else if (width % 2 == 0 && height % 2 == 0) {
    encoder_->pix_fmt = pixel_format(codec, {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV444P});
  } else {
    encoder_->pix_fmt = pixel_format(codec, {AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV420P});
  }
  encoder_->time_base = in_video->time_base;  // the input's timestamps, unchanged (variable rate too)
  encoder_->framerate = av_guess_frame_rate(reader.format(), const_cast<AVStream*>(in_video), nullptr);
  encoder_->sample_aspect_ratio = in_video->codecpar->sample_aspect_ratio;
  encoder_->thread_count = 0;
  if (format_->oformat->flags & AVFMT_GLOBALHEADER) encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  configure(encoder_, codec, encoding);
  check_av(avcodec_open2(encoder_, codec, nullptr), ErrorCode::EncodeFailed,
           std::string("cannot open the ") + codec->name + " encoder");
  check_av(avcodec_parameters_from_context(video_->codecpar, encoder_), ErrorCode::EncodeFailed,
           "cannot describe the video stream");
  video_->time_base = encoder_->time_base;
  video_->sample_aspect_ratio = encoder_->sample_aspect_ratio;
}

VideoWriter::~VideoWriter() { release(); }

void VideoWriter::release() {
  if (format_ && format_->pb && !(format_->oformat->flags & AVFMT_NOFILE)) avio_closep(&format_->pb);
  avformat_free_context(format_);
  format_ = nullptr;
  sws_freeContext(from_bgr_);
  from_bgr_ = nullptr;
  av_packet_free(&packet_);
  av_frame_free(&frame_);
  avcodec_free_context(&encoder_);
}

void VideoWriter::write_frame(const Image& bgr, std::int64_t pts) {
  // A stream whose frame size changes midway: later frames are scaled to the first one's size
  // (a video stream has one size), by the same conversion.
  from_bgr_ = sws_getCachedContext(from_bgr_, bgr.width(), bgr.height(), AV_PIX_FMT_BGR24, encoder_->width,
                                   encoder_->height, encoder_->pix_fmt, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!from_bgr_) throw Error(ErrorCode::EncodeFailed, "cannot convert frames for the encoder");
  av_frame_unref(frame_);
  frame_->format = encoder_->pix_fmt;
  frame_->width = encoder_->width;
  frame_->height = encoder_->height;
  check_av(av_frame_get_buffer(frame_, 0), ErrorCode::OutOfMemory, "cannot allocate a frame");
  const uint8_t* planes[1] = {bgr.data()};
  const int strides[1] = {bgr.width() * 3};
  sws_scale(from_bgr_, planes, strides, 0, bgr.height(), frame_->data, frame_->linesize);
  frame_->pts = av_rescale_q(pts, input_video_time_base_, encoder_->time_base);
  // A damaged or spliced stream can go back in time; encoders and muxers refuse that, so such a
  // frame is placed just after the previous one (kept, not dropped). Repeated timestamps are the
  // input's own and stay.
  if (last_pts_ != AV_NOPTS_VALUE && frame_->pts < last_pts_) frame_->pts = last_pts_ + 1;
  last_pts_ = frame_->pts;
  check_av(avcodec_send_frame(encoder_, frame_), ErrorCode::EncodeFailed, "cannot encode a frame of " + path_);
  drain(false);
}

void VideoWriter::drain(bool flush) {
  if (flush) check_av(avcodec_send_frame(encoder_, nullptr), ErrorCode::EncodeFailed, "cannot finish encoding " + path_);
  for (;;) {
    const int rc = avcodec_receive_packet(encoder_, packet_);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    check_av(rc, ErrorCode::EncodeFailed, "cannot encode " + path_);
    // The encoder leaves durations unset; without one the MP4 muxer's edit list ends before the
    // last frame and players (and ffprobe) drop it.
    if (packet_->duration <= 0 && encoder_->framerate.num > 0 && encoder_->framerate.den > 0) {
      packet_->duration = av_rescale_q(1, av_inv_q(encoder_->framerate), encoder_->time_base);
    }
    av_packet_rescale_ts(packet_, encoder_->time_base, video_->time_base);
    packet_->stream_index = video_->index;
    check_av(av_interleaved_write_frame(format_, packet_), ErrorCode::EncodeFailed, "cannot write " + path_);
  }
}

bool VideoWriter::copies(int index) const {
  return index >= 0 && index < static_cast<int>(copied_to_.size()) && copied_to_[index] >= 0;
}

int VideoWriter::copied_streams() const {
  int n = 0;
  for (int to : copied_to_) n += to >= 0;
  return n;
}

void VideoWriter::write_copied(AVPacket* packet) {
  const int in = packet->stream_index;
  AVStream* out = format_->streams[copied_to_[in]];
  av_packet_rescale_ts(packet, input_time_bases_[in], out->time_base);
  packet->stream_index = out->index;
  packet->pos = -1;
  check_av(av_interleaved_write_frame(format_, packet), ErrorCode::EncodeFailed, "cannot write " + path_);
}

void VideoWriter::write_video_packet(AVPacket* packet, AVRational time_base) {
  av_packet_rescale_ts(packet, time_base, video_->time_base);
  // Containers that keep no durations (the segments') give none: one frame, as the encoder's.
  if (packet->duration <= 0 && frame_rate_.num > 0 && frame_rate_.den > 0) {
    packet->duration = av_rescale_q(1, av_inv_q(frame_rate_), video_->time_base);
  }
  packet->stream_index = video_->index;
  packet->pos = -1;
  check_av(av_interleaved_write_frame(format_, packet), ErrorCode::EncodeFailed, "cannot write " + path_);
}

void VideoWriter::finish() {
  if (finished_) return;
  if (encoder_) drain(true);
  check_av(av_write_trailer(format_), ErrorCode::EncodeFailed, "cannot finish " + path_);
  if (!(format_->oformat->flags & AVFMT_NOFILE)) check_av(avio_closep(&format_->pb), ErrorCode::EncodeFailed, "cannot close " + path_);
  finished_ = true;
}

}  // namespace gpen::detail
