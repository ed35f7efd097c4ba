// The C ABI over the C++ library. Every entry point catches everything: no exception crosses.

#include "gpen_c.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <type_traits>
#include <string>
#include <vector>

#include "gpen/gpen.hpp"
#include "gpen/param_table.hpp"

struct gpen_restorer {
  explicit gpen_restorer(const gpen::RestorerOptions& o) : restorer(o) {}
  gpen::Restorer restorer;
};

struct gpen_result {
  gpen::Image image;
  std::vector<gpen::FaceResult> faces;
};

struct gpen_batch_report {
  gpen::BatchReport report;
};

namespace {

thread_local std::string g_last_error;

gpen_status status_of(gpen::ErrorCode code) {
  switch (code) {
    case gpen::ErrorCode::InvalidArgument: return GPEN_ERR_INVALID_ARGUMENT;
    case gpen::ErrorCode::FileNotFound: return GPEN_ERR_FILE_NOT_FOUND;
    case gpen::ErrorCode::InvalidModel: return GPEN_ERR_INVALID_MODEL;
    case gpen::ErrorCode::UnsupportedModel: return GPEN_ERR_UNSUPPORTED_MODEL;
    case gpen::ErrorCode::InvalidImage: return GPEN_ERR_INVALID_IMAGE;
    case gpen::ErrorCode::DecodeFailed: return GPEN_ERR_DECODE_FAILED;
    case gpen::ErrorCode::EncodeFailed: return GPEN_ERR_ENCODE_FAILED;
    case gpen::ErrorCode::DeviceUnavailable: return GPEN_ERR_DEVICE_UNAVAILABLE;
    case gpen::ErrorCode::Cancelled: return GPEN_ERR_CANCELLED;
    case gpen::ErrorCode::OutOfMemory: return GPEN_ERR_OUT_OF_MEMORY;
    case gpen::ErrorCode::Internal: return GPEN_ERR_INTERNAL;
  }
  return GPEN_ERR_INTERNAL;
}

gpen_status fail(gpen_status status, const std::string& message) {
  g_last_error = message;
  return status;
}

// Runs `body`, turning any exception into a status and a thread-local message.
template <typename Body>
gpen_status guarded(Body&& body) {
  try {
    g_last_error.clear();
    return body();
  } catch (const gpen::Error& e) {
    return fail(status_of(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(GPEN_ERR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(GPEN_ERR_INTERNAL, e.what());
  } catch (...) {
    return fail(GPEN_ERR_INTERNAL, "unknown error");
  }
}

// Copies the caller's field at [offset, offset + bytes) when the caller's struct (`size` bytes)
// holds all of it: a struct_size that ends inside a field never yields half a pointer.
template <typename T>
void copy_if_whole(T& out, const T& given, std::size_t size, std::size_t offset, std::size_t bytes) {
  if (offset + bytes <= size) {
    std::memcpy(reinterpret_cast<char*>(&out) + offset, reinterpret_cast<const char*>(&given) + offset, bytes);
  }
}
#define GPEN_COPY_FIELD(KIND, type, name, value, lo, hi, choices, doc) \
  copy_if_whole(out, given, size, offsetof(C, name), sizeof(given.name));
#define GPEN_COPY_EXTRA(name) copy_if_whole(out, given, size, offsetof(C, name), sizeof(given.name));

// Every field of each struct: the parameter table's, then the callbacks.
void copy_fields(const gpen_restore_params& given, std::size_t size, gpen_restore_params& out) {
  using C = gpen_restore_params;
#define GPEN_RESTORE_PARAM GPEN_COPY_FIELD
#include "gpen/params.def"
  GPEN_COPY_EXTRA(abort_callback)
  GPEN_COPY_EXTRA(abort_user_data)
}
void copy_fields(const gpen_restorer_params& given, std::size_t size, gpen_restorer_params& out) {
  using C = gpen_restorer_params;
#define GPEN_RESTORER_OPTION GPEN_COPY_FIELD
#include "gpen/params.def"
}
void copy_fields(const gpen_batch_params& given, std::size_t size, gpen_batch_params& out) {
  using C = gpen_batch_params;
#define GPEN_BATCH_OPTION GPEN_COPY_FIELD
#include "gpen/params.def"
  GPEN_COPY_EXTRA(progress_callback)
  GPEN_COPY_EXTRA(progress_user_data)
  GPEN_COPY_EXTRA(abort_callback)
  GPEN_COPY_EXTRA(abort_user_data)
}
void copy_fields(const gpen_video_params& given, std::size_t size, gpen_video_params& out) {
  using C = gpen_video_params;
#define GPEN_VIDEO_OPTION GPEN_COPY_FIELD
#include "gpen/params.def"
  GPEN_COPY_EXTRA(progress_callback)
  GPEN_COPY_EXTRA(progress_user_data)
}

// Reads a versioned parameter struct: defaults, overwritten by the fields the caller's
// struct_size covers whole (an older caller's struct is a prefix of this one).
template <typename T>
T read_params(const T* given, const T& defaults, const char* name) {
  if (!given) return defaults;
  const uint32_t size = given->struct_size;
  if (size < sizeof(uint32_t) || size > (1u << 16)) {
    throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                      std::string(name) + ".struct_size is " + std::to_string(given->struct_size) +
                          "; initialise the struct with its *_default_params() function");
  }
  T out = defaults;
  copy_fields(*given, size, out);
  out.struct_size = sizeof(T);
  return out;
}

// ---- Marshalling between the C structs and the C++ ones, generated from gpen/params.def:
// a field missing from a C struct is a compile error here. C fields are read through their
// address, so an out-of-range enum value is checked as an int before it becomes an enum.

void from_c(const char*, const float* c, float& out) { out = *c; }
void from_c(const char*, const int* c, int& out) { out = *c; }
void from_c(const char*, const int* c, bool& out) { out = *c != 0; }
void from_c(const char*, const char* const* c, std::string& out) {
  if (*c) out = *c;  // NULL: the default
}
void from_c(const char*, const char* const* c, std::vector<std::string>& out) {
  if (*c) out = gpen::param_list_items(*c);
}
template <typename CEnum, typename Enum>
std::enable_if_t<std::is_enum_v<CEnum>> from_c(const char* name, const CEnum* c, Enum& out) {
  static_assert(sizeof(CEnum) == sizeof(int), "C enums are int-sized");
  int v = 0;
  std::memcpy(&v, c, sizeof v);
  const std::vector<std::string>& names = gpen::find_param(name)->choices;
  if (v < 0 || v >= static_cast<int>(names.size())) {
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + std::to_string(i) + " = " + names[i];
    throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                      std::string(name) + " must be one of " + list + ", got " + std::to_string(v));
  }
  out = static_cast<Enum>(v);
}

// Strings handed out in default structs point into storage that lives as long as the library.
const char* lasting(const std::string& s) {
  static std::mutex mutex;
  static std::deque<std::string> pool;
  const std::lock_guard<std::mutex> lock(mutex);
  for (const std::string& kept : pool) {
    if (kept == s) return kept.c_str();
  }
  return pool.emplace_back(s).c_str();
}

void to_c(float v, float& c) { c = v; }
void to_c(int v, int& c) { c = v; }
void to_c(bool v, int& c) { c = v ? 1 : 0; }
void to_c(const std::string& v, const char*& c) { c = lasting(v); }
void to_c(const std::vector<std::string>& v, const char*& c) { c = lasting(gpen::param_list_text(v)); }
template <typename Enum, typename CEnum>
std::enable_if_t<std::is_enum_v<CEnum>> to_c(Enum v, CEnum& c) { c = static_cast<CEnum>(v); }

#define GPEN_READ_FIELD(KIND, type, name, value, lo, hi, choices, doc) from_c(#name, &c.name, out.name);
#define GPEN_WRITE_FIELD(KIND, type, name, value, lo, hi, choices, doc) to_c(in.name, c.name);

std::function<bool()> stop_function(gpen_abort_fn fn, void* user_data) {
  if (!fn) return {};
  return [fn, user_data] { return fn(user_data) != 0; };
}

void read_fields(const gpen_restore_params& c, gpen::RestoreParams& out) {
#define GPEN_RESTORE_PARAM GPEN_READ_FIELD
#include "gpen/params.def"
  out.should_stop = stop_function(c.abort_callback, c.abort_user_data);
}

void read_fields(const gpen_restorer_params& c, gpen::RestorerOptions& out) {
#define GPEN_RESTORER_OPTION GPEN_READ_FIELD
#include "gpen/params.def"
}

void read_fields(const gpen_batch_params& c, gpen::BatchOptions& out) {
#define GPEN_BATCH_OPTION GPEN_READ_FIELD
#include "gpen/params.def"
  out.should_stop = stop_function(c.abort_callback, c.abort_user_data);
  if (c.progress_callback) {
    const gpen_progress_fn fn = c.progress_callback;
    void* user_data = c.progress_user_data;
    out.progress = [fn, user_data](const gpen::BatchProgress& p) {
      gpen_progress progress{};
      progress.done = p.done;
      progress.failed = p.failed;
      progress.skipped = p.skipped;
      progress.total = p.total;
      progress.faces = p.faces;
      progress.elapsed_s = p.elapsed_s;
      progress.eta_s = p.eta_s;
      progress.file = p.file ? p.file->input.c_str() : "";
      fn(&progress, user_data);
    };
  }
}

void read_fields(const gpen_video_params& c, gpen::VideoOptions& out) {
#define GPEN_VIDEO_OPTION GPEN_READ_FIELD
#include "gpen/params.def"
  if (c.progress_callback) {
    const gpen_video_progress_fn fn = c.progress_callback;
    void* user_data = c.progress_user_data;
    out.progress = [fn, user_data](const gpen::VideoProgress& p) {
      gpen_video_progress progress{};
      progress.frames_done = p.frames_done;
      progress.frames_total = p.frames_total;
      progress.elapsed_s = p.elapsed_s;
      progress.eta_s = p.eta_s;
      fn(&progress, user_data);
    };
  }
}

// A caller's struct (NULL: defaults) as the C++ one, checked.
template <typename Cpp, typename C>
Cpp to_cpp(const C* given, const C& defaults, const char* name) {
  Cpp out;
  read_fields(read_params(given, defaults, name), out);
  out.validate();
  return out;
}

gpen::RestoreParams to_cpp(const gpen_restore_params* given) {
  return to_cpp<gpen::RestoreParams>(given, gpen_restore_default_params(), "gpen_restore_params");
}
gpen::RestorerOptions to_cpp(const gpen_restorer_params* given) {
  return to_cpp<gpen::RestorerOptions>(given, gpen_restorer_default_params(), "gpen_restorer_params");
}
gpen::BatchOptions to_cpp(const gpen_batch_params* given) {
  return to_cpp<gpen::BatchOptions>(given, gpen_batch_default_params(), "gpen_batch_params");
}

void write_fields(const gpen::RestoreParams& in, gpen_restore_params& c) {
#define GPEN_RESTORE_PARAM GPEN_WRITE_FIELD
#include "gpen/params.def"
}
void write_fields(const gpen::RestorerOptions& in, gpen_restorer_params& c) {
#define GPEN_RESTORER_OPTION GPEN_WRITE_FIELD
#include "gpen/params.def"
}
void write_fields(const gpen::BatchOptions& in, gpen_batch_params& c) {
#define GPEN_BATCH_OPTION GPEN_WRITE_FIELD
#include "gpen/params.def"
}
void write_fields(const gpen::VideoOptions& in, gpen_video_params& c) {
#define GPEN_VIDEO_OPTION GPEN_WRITE_FIELD
#include "gpen/params.def"
}

// The C struct of a C++ one (callbacks NULL), struct_size set.
template <typename C, typename Cpp>
C to_c_struct(const Cpp& in) {
  C c{};
  c.struct_size = sizeof c;
  write_fields(in, c);
  return c;
}

gpen::ImageView to_cpp(const gpen_image* image) {
  if (!image) throw gpen::Error(gpen::ErrorCode::InvalidArgument, "image is NULL");
  gpen::ImageView v;
  v.data = image->data;
  v.width = image->width;
  v.height = image->height;
  v.channels = image->channels;
  v.depth = image->depth;
  v.stride = image->stride;
  int order = 0;  // read as an int: an out-of-range value must not be loaded as the enum
  std::memcpy(&order, &image->order, sizeof order);
  if (order != GPEN_BGR && order != GPEN_RGB) {
    throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                      "image order must be GPEN_BGR (0) or GPEN_RGB (1), got " + std::to_string(order));
  }
  v.order = order == GPEN_RGB ? gpen::ColorOrder::RGB : gpen::ColorOrder::BGR;
  return v;
}

gpen_image to_c(const gpen::Image& image) {
  gpen_image v{};
  v.data = image.data();
  v.width = image.width();
  v.height = image.height();
  v.channels = image.channels();
  v.depth = 8;
  v.stride = static_cast<std::size_t>(image.width()) * image.channels();
  v.order = image.order() == gpen::ColorOrder::RGB ? GPEN_RGB : GPEN_BGR;
  return v;
}

template <typename T>
void require(const T* p, const char* name) {
  if (!p) throw gpen::Error(gpen::ErrorCode::InvalidArgument, std::string(name) + " is NULL");
}

template <class T>
gpen_status init_params(T* params, uint32_t struct_size, const T& defaults, const char* name) {
  return guarded([&] {
    require(params, "params");
    if (struct_size < sizeof(uint32_t) || struct_size > (1u << 16)) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        std::string(name) + " struct_size " + std::to_string(struct_size) + " is not a struct size");
    }
    // Only the bytes the caller has; beyond this library's struct there is nothing to default.
    std::memset(static_cast<void*>(params), 0, struct_size);
    std::memcpy(static_cast<void*>(params), &defaults, std::min<std::size_t>(struct_size, sizeof(T)));
    params->struct_size = struct_size;
    return GPEN_OK;
  });
}

// The shape of every restore entry point: *out cleared, handles checked, the result made by
// `restore` (a new gpen_result) or a status.
template <typename Restore>
gpen_status restore_into(gpen_restorer* restorer, gpen_result** out, Restore&& restore) {
  if (out) *out = nullptr;
  return guarded([&] {
    require(restorer, "restorer");
    require(out, "out");
    *out = restore();
    return GPEN_OK;
  });
}

}  // namespace

extern "C" {

const char* gpen_version(void) { return gpen::version(); }
const char* gpen_last_error(void) { return g_last_error.c_str(); }

const char* gpen_status_name(gpen_status status) {
  if (status == GPEN_OK) return "ok";
  return gpen::error_code_name(static_cast<gpen::ErrorCode>(status));
}

gpen_restorer_params gpen_restorer_default_params(void) { return to_c_struct<gpen_restorer_params>(gpen::RestorerOptions()); }
gpen_restore_params gpen_restore_default_params(void) { return to_c_struct<gpen_restore_params>(gpen::RestoreParams()); }
gpen_batch_params gpen_batch_default_params(void) { return to_c_struct<gpen_batch_params>(gpen::BatchOptions()); }

gpen_status gpen_restore_params_preset(const char* name, gpen_restore_params* out) {
  return guarded([&] {
    require(name, "name");
    require(out, "out");
    read_params(out, gpen_restore_default_params(), "gpen_restore_params");  // checks out->struct_size
    gpen_restore_params p = to_c_struct<gpen_restore_params>(gpen::preset(name));
    p.struct_size = std::min<uint32_t>(out->struct_size, sizeof p);
    std::memcpy(out, &p, std::min<std::size_t>(out->struct_size, sizeof(p)));
    return GPEN_OK;
  });
}

gpen_status gpen_restorer_params_init(gpen_restorer_params* params, uint32_t struct_size) {
  return init_params(params, struct_size, gpen_restorer_default_params(), "gpen_restorer_params");
}

gpen_status gpen_restore_params_init(gpen_restore_params* params, uint32_t struct_size) {
  return init_params(params, struct_size, gpen_restore_default_params(), "gpen_restore_params");
}

gpen_status gpen_batch_params_init(gpen_batch_params* params, uint32_t struct_size) {
  return init_params(params, struct_size, gpen_batch_default_params(), "gpen_batch_params");
}

gpen_video_params gpen_video_default_params(void) { return to_c_struct<gpen_video_params>(gpen::VideoOptions()); }

gpen_status gpen_video_params_init(gpen_video_params* params, uint32_t struct_size) {
  return init_params(params, struct_size, gpen_video_default_params(), "gpen_video_params");
}

gpen_status gpen_restorer_create(const gpen_restorer_params* params, gpen_restorer** out) {
  if (out) *out = nullptr;
  return guarded([&] {
    require(out, "out");
    const gpen::RestorerOptions o = to_cpp(params);
    *out = new gpen_restorer(o);
    return GPEN_OK;
  });
}

void gpen_restorer_destroy(gpen_restorer* restorer) { delete restorer; }

int gpen_restorer_model_size(const gpen_restorer* restorer) {
  return restorer ? restorer->restorer.model().size : 0;
}

int gpen_restorer_has_model(const gpen_restorer* restorer) {
  return restorer && restorer->restorer.has_model() ? 1 : 0;
}

gpen_status gpen_restorer_memory_stats(const gpen_restorer* restorer, gpen_memory_stats* out) {
  return guarded([&] {
    require(restorer, "restorer");
    require(out, "out");
    const gpen::MemoryStats m = restorer->restorer.memory_stats();
    out->device_memory = m.device_memory ? 1 : 0;
    out->allocated_bytes = m.allocated_bytes;
    out->reserved_bytes = m.reserved_bytes;
    out->peak_allocated_bytes = m.peak_allocated_bytes;
    out->peak_reserved_bytes = m.peak_reserved_bytes;
    out->total_bytes = m.total_bytes;
    return GPEN_OK;
  });
}

gpen_status gpen_restore(gpen_restorer* restorer, const gpen_image* photo, const gpen_restore_params* params,
                         gpen_result** out) {
  return restore_into(restorer, out, [&] {
    gpen::Result r = restorer->restorer.restore(to_cpp(photo), to_cpp(params));
    return new gpen_result{std::move(r.image), std::move(r.faces)};
  });
}

gpen_status gpen_restore_aligned(gpen_restorer* restorer, const gpen_image* face, const gpen_restore_params* params,
                                 gpen_result** out) {
  return restore_into(restorer, out, [&] {
    return new gpen_result{restorer->restorer.restore_face(to_cpp(face), to_cpp(params)), {}};
  });
}

void gpen_result_destroy(gpen_result* result) { delete result; }

gpen_image gpen_result_image(const gpen_result* result) {
  if (!result) return gpen_image{};
  return to_c(result->image);
}

gpen_status gpen_result_copy_image(const gpen_result* result, void* dst, size_t dst_size, size_t dst_stride) {
  return guarded([&] {
    require(result, "result");
    require(dst, "dst");
    const gpen::Image& img = result->image;
    const std::size_t row = static_cast<std::size_t>(img.width()) * img.channels();
    if (dst_stride == 0) dst_stride = row;
    if (dst_stride < row) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        "dst_stride " + std::to_string(dst_stride) + " is smaller than a row (" + std::to_string(row) + ")");
    }
    if (img.height() == 0) return GPEN_OK;
    const std::size_t rows_before_last = static_cast<std::size_t>(img.height() - 1);
    if (rows_before_last > 0 && dst_stride > (SIZE_MAX - row) / rows_before_last) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        "dst_stride " + std::to_string(dst_stride) + " is too large: the image would span more than "
                        "the address space");
    }
    const std::size_t need = dst_stride * rows_before_last + row;
    if (dst_size < need) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument,
                        "dst_size " + std::to_string(dst_size) + " is too small; " + std::to_string(need) + " bytes needed");
    }
    for (int y = 0; y < img.height(); ++y) {
      std::memcpy(static_cast<unsigned char*>(dst) + static_cast<std::size_t>(y) * dst_stride,
                  img.data() + static_cast<std::size_t>(y) * row, row);
    }
    return GPEN_OK;
  });
}

int gpen_result_face_count(const gpen_result* result) {
  return result ? static_cast<int>(result->faces.size()) : 0;
}

static const gpen::FaceResult& face_at(const gpen_result* result, int index) {
  require(result, "result");
  if (index < 0 || index >= static_cast<int>(result->faces.size())) {
    throw gpen::Error(gpen::ErrorCode::InvalidArgument, "face index " + std::to_string(index) + " is out of range (" +
                                                            std::to_string(result->faces.size()) + " faces)");
  }
  return result->faces[static_cast<std::size_t>(index)];
}

gpen_status gpen_result_face(const gpen_result* result, int index, gpen_face* out) {
  return guarded([&] {
    require(out, "out");
    const gpen::FaceResult& f = face_at(result, index);
    const gpen::DetectedFace& d = f.detection;
    gpen_face face{};
    face.box[0] = d.box.x;
    face.box[1] = d.box.y;
    face.box[2] = d.box.width;
    face.box[3] = d.box.height;
    face.score = d.score;
    for (int i = 0; i < 5; ++i) {
      face.landmarks[i][0] = d.landmarks[i].x;
      face.landmarks[i][1] = d.landmarks[i].y;
    }
    for (int i = 0; i < 6; ++i) face.affine[i] = f.affine[i];
    *out = face;
    return GPEN_OK;
  });
}

gpen_status gpen_result_face_crop(const gpen_result* result, int index, int restored, gpen_image* out) {
  return guarded([&] {
    require(out, "out");
    const gpen::FaceResult& f = face_at(result, index);
    const gpen::Image& crop = restored ? f.restored : f.aligned;
    if (crop.empty()) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument, "face " + std::to_string(index) +
                                                               " has no restored crop (strength was 0)");
    }
    *out = to_c(crop);
    return GPEN_OK;
  });
}

gpen_status gpen_restore_batch(gpen_restorer* restorer, const char* const* inputs, int input_count,
                               const gpen_batch_params* batch, const gpen_restore_params* params,
                               gpen_batch_report** out) {
  if (out) *out = nullptr;
  return guarded([&] {
    require(restorer, "restorer");
    require(out, "out");
    if (input_count < 0 || (input_count > 0 && !inputs)) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument, "inputs is NULL or input_count is negative");
    }
    std::vector<std::string> paths;
    for (int i = 0; i < input_count; ++i) {
      require(inputs[i], "inputs[i]");
      paths.emplace_back(inputs[i]);
    }
    const gpen::BatchOptions o = to_cpp(batch);
    const gpen::RestoreParams rp = to_cpp(params);
    gpen::BatchProcessor processor(restorer->restorer, o);
    gpen::BatchReport report = processor.run(paths, rp);
    *out = new gpen_batch_report{std::move(report)};
    return GPEN_OK;
  });
}

gpen_status gpen_restore_files(gpen_restorer* restorer, const char* const* inputs, int input_count,
                               const gpen_batch_params* batch, const gpen_restore_params* params,
                               gpen_progress_fn progress, gpen_cancel_fn cancel, void* user_data,
                               gpen_batch_report** out) {
  if (out) *out = nullptr;
  gpen_batch_params b{};
  const gpen_status status = guarded([&] {
    b = read_params(batch, gpen_batch_default_params(), "gpen_batch_params");
    return GPEN_OK;
  });
  if (status != GPEN_OK) return status;
  if (!b.progress_callback) {
    b.progress_callback = progress;
    b.progress_user_data = user_data;
  }
  if (!b.abort_callback) {
    b.abort_callback = cancel;
    b.abort_user_data = user_data;
  }
  return gpen_restore_batch(restorer, inputs, input_count, &b, params, out);
}

void gpen_batch_report_destroy(gpen_batch_report* report) { delete report; }

int gpen_batch_report_file_count(const gpen_batch_report* report) {
  return report ? static_cast<int>(report->report.files.size()) : 0;
}

void gpen_batch_report_counts(const gpen_batch_report* report, int* restored, int* failed, int* skipped,
                              int* cancelled, long long* faces) {
  const gpen::BatchReport empty;
  const gpen::BatchReport& r = report ? report->report : empty;
  if (restored) *restored = r.restored;
  if (failed) *failed = r.failed;
  if (skipped) *skipped = r.skipped;
  if (cancelled) *cancelled = r.cancelled;
  if (faces) *faces = r.faces;
}

double gpen_batch_report_wall_seconds(const gpen_batch_report* report) { return report ? report->report.wall_s : 0.0; }

double gpen_batch_report_compute_busy_fraction(const gpen_batch_report* report) {
  return report ? report->report.compute_busy_fraction : 0.0;
}

gpen_status gpen_batch_report_file(const gpen_batch_report* report, int index, const char** input, const char** output,
                                   gpen_file_status* status, const char** error, int* faces) {
  return guarded([&] {
    require(report, "report");
    const auto& files = report->report.files;
    if (index < 0 || index >= static_cast<int>(files.size())) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument, "file index " + std::to_string(index) + " is out of range (" +
                                                              std::to_string(files.size()) + " files)");
    }
    const gpen::FileReport& f = files[static_cast<std::size_t>(index)];
    if (input) *input = f.input.c_str();
    if (output) *output = f.output.c_str();
    if (status) *status = static_cast<gpen_file_status>(f.status);
    if (error) *error = f.error.c_str();
    if (faces) *faces = static_cast<int>(f.faces.size());
    return GPEN_OK;
  });
}

}  // extern "C"

gpen_status gpen_restore_video(gpen_restorer* restorer, const char* input, const char* output,
                               const gpen_restore_params* params, const gpen_video_params* video,
                               gpen_video_report* report) {
  return guarded([&] {
    require(restorer, "restorer");
    require(input, "input");
    require(output, "output");
    if (report && (report->struct_size < sizeof(uint32_t) || report->struct_size > (1u << 16))) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument, "report->struct_size is " +
                                                              std::to_string(report->struct_size) +
                                                              "; set it to sizeof(gpen_video_report)");
    }
    const gpen::RestoreParams p = to_cpp(params);
    gpen::VideoOptions o;
    read_fields(read_params(video, gpen_video_default_params(), "gpen_video_params"), o);
    o.validate();
    const gpen::VideoReport r = gpen::restore_video(restorer->restorer, input, output, p, o);
    if (report) {
      gpen_video_report out{};
      out.struct_size = std::min<uint32_t>(report->struct_size, sizeof out);
      out.frames = r.frames;
      out.faces = r.faces;
      out.detections = r.detections;
      out.tracks = static_cast<int>(r.frames_per_track.size());
      out.copied_streams = r.copied_streams;
      out.damaged = r.damaged;
      out.width = r.width;
      out.height = r.height;
      out.seconds = r.seconds;
      out.resumed_frames = r.resumed_frames;
      out.model_calls = r.model_calls;
      std::memcpy(report, &out, out.struct_size);
    }
    return GPEN_OK;
  });
}
