#pragma once
// An FFmpeg packet owned by a unique_ptr (freed with av_packet_free).

extern "C" {
#include <libavcodec/packet.h>
}

#include <memory>

namespace gpen::detail {

struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

}  // namespace gpen::detail
