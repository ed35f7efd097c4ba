#include "video/video_segments.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "gpen/error.hpp"
#include "gpen/io.hpp"
#include "video/av_error.hpp"
#include "video/av_packet.hpp"
#include "video/video_reader.hpp"
#include "video/video_writer.hpp"

namespace gpen::detail {

namespace fs = std::filesystem;

namespace {

std::string numbered(const std::string& dir, int k, const char* extension) {
  char name[32];
  std::snprintf(name, sizeof name, "%06d.%s", k, extension);
  return (fs::path(dir) / name).string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) { write_file_atomically(path, text.data(), text.size()); }


}  // namespace

SegmentStore::SegmentStore(const std::string& output, const std::string& fingerprint) {
  const fs::path out(output);
  dir_ = (out.parent_path() / ("." + out.filename().string() + ".parts")).string();
  const std::string run = (fs::path(dir_) / "run.json").string();
  std::error_code ec;
  bool same_run = false;
  try {
    same_run = fs::exists(run, ec) && nlohmann::json::parse(read_text(run)).at("fingerprint") == fingerprint;
  } catch (const std::exception&) {
    same_run = false;  // unreadable: started afresh
  }
  if (!same_run) {
    fs::remove_all(dir_, ec);
    fs::create_directories(dir_, ec);
    if (ec) throw Error(ErrorCode::EncodeFailed, "cannot create " + dir_ + ": " + ec.message());
    write_text(run, nlohmann::json{{"fingerprint", fingerprint}}.dump());
  }
  while (fs::exists(state_path(completed_ + 1), ec) && fs::exists(segment_path(completed_ + 1), ec)) ++completed_;
  last_ = completed_;
}

std::string SegmentStore::segment_path(int k) const { return numbered(dir_, k, "nut"); }
std::string SegmentStore::state_path(int k) const { return numbered(dir_, k, "json"); }

SegmentState SegmentStore::state(int k) const {
  try {
    const nlohmann::json j = nlohmann::json::parse(read_text(state_path(k)));
    SegmentState s;
    s.tracker = j.at("tracker").get<std::string>();
    s.frames = j.at("frames").get<std::int64_t>();
    s.faces = j.at("faces").get<std::int64_t>();
    s.detections = j.at("detections").get<std::int64_t>();
    s.width = j.at("width").get<int>();
    s.height = j.at("height").get<int>();
    return s;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::DecodeFailed, "cannot resume from " + state_path(k) + ": " + e.what() +
                                             " (remove " + dir_ + " to start over)");
  }
}

void SegmentStore::complete(int k, const SegmentState& s) {
  write_text(state_path(k), nlohmann::json{{"tracker", s.tracker}, {"frames", s.frames}, {"faces", s.faces},
                                           {"detections", s.detections},
                                           {"width", s.width}, {"height", s.height}}
                                .dump());
  last_ = std::max(last_, k);
}

std::vector<std::string> SegmentStore::segments() const {
  std::vector<std::string> out;
  for (int k = 1; k <= last_; ++k) out.push_back(segment_path(k));
  return out;
}

void SegmentStore::remove() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

int join_segments(const std::vector<std::string>& segments, VideoReader& input, const std::string& path,
                  const std::string& container_name) {
  if (segments.empty()) throw Error(ErrorCode::DecodeFailed, "no frame of " + path + " was restored");
  PacketPtr from_input(av_packet_alloc()), from_segment(av_packet_alloc());
  if (!from_input || !from_segment) throw Error(ErrorCode::OutOfMemory, "cannot allocate a packet");
  std::unique_ptr<VideoReader> segment = std::make_unique<VideoReader>(segments[0]);
  VideoEncoding copy;
  copy.copy_from = segment->video_stream();
  VideoWriter writer(path, container_name, input, 0, 0, copy);
  // The next packet of each source; the earlier (in seconds) is written first, so the muxer's
  // interleaving buffer stays small however long the video.
  std::size_t next_segment = 1;
  auto next_video = [&]() -> bool {
    for (;;) {
      if (segment->read(from_segment.get())) return true;
      if (next_segment >= segments.size()) return false;
      segment = std::make_unique<VideoReader>(segments[next_segment++]);
    }
  };
  auto next_other = [&]() -> bool {
    while (input.read(from_input.get())) {
      if (writer.copies(from_input->stream_index)) return true;
      av_packet_unref(from_input.get());
    }
    return false;
  };
  auto seconds = [](const AVPacket* p, AVRational time_base) {
    const std::int64_t t = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
    return t == AV_NOPTS_VALUE ? 0.0 : t * av_q2d(time_base);
  };
  bool video = next_video(), other = next_other();
  while (video || other) {
    const AVRational video_base = segment->video_stream()->time_base;
    const bool take_video =
        video && (!other || seconds(from_segment.get(), video_base) <=
                                seconds(from_input.get(), input.format()->streams[from_input->stream_index]->time_base));
    if (take_video) {
      writer.write_video_packet(from_segment.get(), video_base);
      av_packet_unref(from_segment.get());
      video = next_video();
    } else {
      writer.write_copied(from_input.get());
      av_packet_unref(from_input.get());
      other = next_other();
    }
  }
  writer.finish();
  return writer.copied_streams();
}

}  // namespace gpen::detail
