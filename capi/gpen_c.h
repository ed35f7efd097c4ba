/* gpen_c.h - the stable C ABI of gpen (C99). Link with -lgpen_c (pkg-config gpen).
 *
 * Conventions
 *  - Opaque handles: gpen_restorer, gpen_result, gpen_batch_report; each has a destroy function.
 *  - Every function that can fail returns a gpen_status; GPEN_OK is 0. The message of the last
 *    failure on the calling thread is gpen_last_error(). No C++ exception crosses this ABI.
 *  - Parameter structs start with struct_size: fill them with gpen_*_params_init(&p, sizeof p)
 *    (or, when your header and library are the same version, gpen_*_default_params()), change
 *    fields, pass a pointer. A library newer than your header reads only the fields you know of
 *    (the rest keep their defaults); an older one ignores fields it does not know. The *_init
 *    functions write only sizeof p bytes, so they are the safe choice for FFI bindings and for
 *    programs that may meet a newer library.
 *  - Images you pass are views over your memory (gpen_image); images the library returns are
 *    library-owned until the result is destroyed, or copied into your buffer with the *_copy_*
 *    functions.
 *  - Handles are thread-safe: one restorer may serve several threads at once.
 */
#ifndef GPEN_C_H
#define GPEN_C_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define GPEN_C_API __declspec(dllexport)
#else
#define GPEN_C_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define GPEN_C_VERSION_MAJOR 0
#define GPEN_C_VERSION_MINOR 6
#define GPEN_C_VERSION_PATCH 0

typedef enum gpen_status {
  GPEN_OK = 0,
  GPEN_ERR_INVALID_ARGUMENT = 1, /* a parameter out of range, a NULL pointer, a bad struct_size */
  GPEN_ERR_FILE_NOT_FOUND = 2,
  GPEN_ERR_INVALID_MODEL = 3,
  GPEN_ERR_UNSUPPORTED_MODEL = 4,
  GPEN_ERR_INVALID_IMAGE = 5,
  GPEN_ERR_DECODE_FAILED = 6,
  GPEN_ERR_ENCODE_FAILED = 7,
  GPEN_ERR_DEVICE_UNAVAILABLE = 8,
  GPEN_ERR_NO_MODEL = 9, /* reserved: never returned (kept for source compatibility) */
  GPEN_ERR_OUT_OF_MEMORY = 10, /* the device ran out of memory, or reached memory_limit_mb */
  GPEN_ERR_CANCELLED = 11,     /* an abort_callback returned non-zero */
  GPEN_ERR_INTERNAL = 100
} gpen_status;

typedef enum gpen_mode { GPEN_MODE_NATURAL = 0, GPEN_MODE_STRONG = 1, GPEN_MODE_DETAIL = 2 } gpen_mode;
typedef enum gpen_precision { GPEN_FP32 = 0, GPEN_FP16 = 1, GPEN_BF16 = 2 } gpen_precision;
typedef enum gpen_color_order { GPEN_BGR = 0, GPEN_RGB = 1 } gpen_color_order;
/* Where whole photos' faces are cut out and pasted back: AUTO = on the GPU for CUDA devices,
 * with OpenCV on the host for the CPU (docs/gpu.md). */
typedef enum gpen_photo_ops { GPEN_PHOTO_OPS_AUTO = 0, GPEN_PHOTO_OPS_HOST = 1, GPEN_PHOTO_OPS_DEVICE = 2 } gpen_photo_ops;
typedef enum gpen_file_status {
  GPEN_FILE_RESTORED = 0,
  GPEN_FILE_FAILED = 1,
  GPEN_FILE_SKIPPED = 2,
  GPEN_FILE_CANCELLED = 3
} gpen_file_status;

typedef struct gpen_restorer gpen_restorer;
typedef struct gpen_result gpen_result;
typedef struct gpen_batch_report gpen_batch_report;

/* A view over pixels. stride: bytes per row, 0 = packed. channels 1, 3 or 4 (alpha last);
 * depth 8 or 16 bits. */
typedef struct gpen_image {
  const void* data;
  int width;
  int height;
  int channels;
  int depth;
  size_t stride;
  gpen_color_order order;
} gpen_image;

typedef struct gpen_face {
  float box[4];          /* x, y, width, height in photo pixels */
  float score;
  float landmarks[5][2]; /* left eye, right eye, nose tip, left and right mouth corner */
  double affine[6];      /* row-major 2x3: photo -> aligned crop */
} gpen_face;

typedef struct gpen_progress {
  int done;
  int failed;
  int skipped;
  int total;
  long long faces;
  double elapsed_s;
  double eta_s;
  const char* file; /* the file just finished */
} gpen_progress;

/* Called after each file, one call at a time, from the engine's threads. */
typedef void (*gpen_progress_fn)(const gpen_progress* progress, void* user_data);
/* Asked between the steps of a call (before detection, between model batches, before
   paste-back; in a batch also before each file), inline on the engine's threads, one call at a
   time; return non-zero to stop: a single restore then fails with GPEN_ERR_CANCELLED, a batch
   finishes the files in flight and reports the rest as cancelled. */
typedef int (*gpen_abort_fn)(void* user_data);
typedef gpen_abort_fn gpen_cancel_fn; /* the 0.1 name */

typedef struct gpen_restorer_params {
  uint32_t struct_size;
  const char* model_path;  /* a catalogue name, a .pth or an exported .pt; NULL or "": classic path */
  const char* device;      /* "cpu", "cuda", "cuda:N" */
  const char* detector;    /* "dlib" or "retinaface:PATH" */
  int threads;             /* 0 = all cores */
  gpen_precision precision;
  int max_batch;
  int detection_max_side;
  int memory_limit_mb;     /* CUDA only: cap on the caching allocator, MiB; 0 = none */
  int warmup;              /* CUDA only: one max_batch batch at load (default 1) */
  gpen_photo_ops photo_ops;
  /* since 0.3: */
  int download;            /* fetch a catalogue model that is not cached yet (gpen models pull) */
  /* since 0.4: */
  const char* bg_upsampler; /* background super-resolution model (realesrnet_x2, .pth, .pt); NULL or "": resize */
  int bg_tile;              /* its tile side in input pixels, 0 = whole photo (default 400) */
  int bg_tile_pad;          /* context pixels around each tile (default 10) */
  const char* parser;       /* face parser for paste-back masks (ParseNet-latest, .pth, .pt); NULL or "": rectangle */
  const char* task;         /* "auto" (NULL), "enhance", "colorize", "inpaint", "seg2face" */
} gpen_restorer_params;

/* Device memory held by LibTorch's caching allocator on the restorer's device (the process's
 * figures for that device). device_memory is 0 on the CPU, where every figure is 0. */
typedef struct gpen_memory_stats {
  int device_memory;
  long long allocated_bytes;
  long long reserved_bytes;
  long long peak_allocated_bytes;
  long long peak_reserved_bytes;
  long long total_bytes;
} gpen_memory_stats;

typedef struct gpen_restore_params {
  uint32_t struct_size;
  float strength; /* 0-100 */
  gpen_mode mode;
  float denoise;  /* 0-100 */
  float sharpen;  /* 0-100 */
  int only_center_face;
  int max_faces;  /* 0 = all */
  float min_face_size;
  int upscale;    /* 1-4 */
  /* since 0.2: */
  gpen_abort_fn abort_callback; /* NULL: never stop */
  void* abort_user_data;
} gpen_restore_params;

typedef struct gpen_batch_params {
  uint32_t struct_size;
  const char* output_dir;
  int recursive;
  const char* extensions; /* comma-separated, NULL = jpg,jpeg,png,webp,bmp,tif,tiff */
  int skip_existing;
  const char* format;     /* "png", "jpg", "webp"; NULL = png */
  int quality;
  int readers;
  int writers;
  int queue_capacity;
  int aligned;
  int save_faces;
  /* since 0.2: */
  gpen_progress_fn progress_callback; /* after each file; NULL: none */
  void* progress_user_data;
  gpen_abort_fn abort_callback;       /* before each file and between model batches; NULL: never stop */
  void* abort_user_data;
  /* since 0.3: */
  int compare; /* also write OUTDIR/compare/<name>: the input and the result side by side */
} gpen_batch_params;

/* since 0.5: videos (gpen_restore_video). */
typedef struct gpen_video_progress {
  long long frames_done;
  long long frames_total; /* the container's count or estimate; 0 when unknown */
  double elapsed_s;
  double eta_s;           /* 0 when unknown */
} gpen_video_progress;

/* Called after each frame, from the calling thread. */
typedef void (*gpen_video_progress_fn)(const gpen_video_progress* progress, void* user_data);

typedef struct gpen_video_params {
  uint32_t struct_size;
  const char* video_codec; /* "h264" (NULL), "h265", "vp9", "ffv1" (lossless) */
  int crf;                 /* constant quality: h264/h265 0-51, vp9 0-63 (default 18) */
  int bitrate;             /* kbit/s instead of crf; 0 = use crf */
  const char* container;   /* "mp4", "mkv", ...; NULL or "": from the output's name, else the input's */
  int frames_dir;          /* PNG frames into a folder named like the output without its extension */
  float smoothing;         /* 0-1: temporal smoothing of face landmarks (default 0.5) */
  int detect_every;        /* search for faces on every Nth frame, optical flow between (default 1) */
  int resume;              /* segments beside the output: an interrupted run goes on where it stopped */
  float segment_seconds;   /* with resume: segment length (default 10) */
  gpen_video_progress_fn progress_callback; /* NULL: none */
  void* progress_user_data;
} gpen_video_params;

typedef struct gpen_video_report {
  uint32_t struct_size;    /* set by the caller (sizeof): only that much is written */
  long long frames;        /* frames decoded, restored and encoded */
  long long faces;         /* faces restored over all frames */
  long long detections;    /* frames searched for faces */
  int tracks;              /* faces followed across frames */
  int copied_streams;      /* audio and subtitle streams copied */
  int damaged;             /* packets or reads that failed (a truncated or damaged file) */
  int width;               /* output frame size */
  int height;
  double seconds;
  long long resumed_frames; /* of frames, restored by an earlier interrupted run (resume) */
  long long model_calls;   /* 0.6: model calls; faces of consecutive frames share them (up to max_batch) */
} gpen_video_report;



GPEN_C_API const char* gpen_version(void);
/* The message of the last failure on this thread ("" if none). Valid until the next call. */
GPEN_C_API const char* gpen_last_error(void);
/* Stable short name of a status, e.g. "invalid-model". */
GPEN_C_API const char* gpen_status_name(gpen_status status);

GPEN_C_API gpen_restorer_params gpen_restorer_default_params(void);
GPEN_C_API gpen_restore_params gpen_restore_default_params(void);
GPEN_C_API gpen_batch_params gpen_batch_default_params(void);
/* Writes the defaults into the first struct_size bytes of *params and sets its struct_size
 * (pass sizeof *params): binary-compatible whatever the library's version. */
GPEN_C_API gpen_status gpen_restorer_params_init(gpen_restorer_params* params, uint32_t struct_size);
GPEN_C_API gpen_status gpen_restore_params_init(gpen_restore_params* params, uint32_t struct_size);
GPEN_C_API gpen_status gpen_batch_params_init(gpen_batch_params* params, uint32_t struct_size);
GPEN_C_API gpen_video_params gpen_video_default_params(void);
GPEN_C_API gpen_status gpen_video_params_init(gpen_video_params* params, uint32_t struct_size);
/* Fills *out with a named preset ("natural", "old-photo", "id-photo", "selfie", "motion-blur",
 * "group-photo"); out->struct_size must be set. */
GPEN_C_API gpen_status gpen_restore_params_preset(const char* name, gpen_restore_params* out);

GPEN_C_API gpen_status gpen_restorer_create(const gpen_restorer_params* params, gpen_restorer** out);
GPEN_C_API void gpen_restorer_destroy(gpen_restorer* restorer);
/* Model crop size (512 for the classic path); 0 for a NULL handle. */
GPEN_C_API int gpen_restorer_model_size(const gpen_restorer* restorer);
/* 1 with a GPEN model, 0 for the classic path. */
GPEN_C_API int gpen_restorer_has_model(const gpen_restorer* restorer);
/* The caching allocator's figures for the restorer's device. */
GPEN_C_API gpen_status gpen_restorer_memory_stats(const gpen_restorer* restorer, gpen_memory_stats* out);

/* Whole photo: detect, align, restore, paste back. params NULL = defaults. */
GPEN_C_API gpen_status gpen_restore(gpen_restorer* restorer, const gpen_image* photo,
                                    const gpen_restore_params* params, gpen_result** out);
/* One aligned face crop; the result has the restored crop as its image and no faces. */
GPEN_C_API gpen_status gpen_restore_aligned(gpen_restorer* restorer, const gpen_image* face,
                                            const gpen_restore_params* params, gpen_result** out);

GPEN_C_API void gpen_result_destroy(gpen_result* result);
/* The restored image (library-owned, valid until gpen_result_destroy): packed 8-bit. */
GPEN_C_API gpen_image gpen_result_image(const gpen_result* result);
/* Copies the image into your buffer (dst_stride bytes per row, >= width * channels). */
GPEN_C_API gpen_status gpen_result_copy_image(const gpen_result* result, void* dst, size_t dst_size,
                                              size_t dst_stride);
GPEN_C_API int gpen_result_face_count(const gpen_result* result);
GPEN_C_API gpen_status gpen_result_face(const gpen_result* result, int index, gpen_face* out);
/* The face's aligned crop (restored = 0) or restored crop (restored = 1), library-owned. */
GPEN_C_API gpen_status gpen_result_face_crop(const gpen_result* result, int index, int restored,
                                             gpen_image* out);

/* Restores files and directories into params->output_dir with the batch engine. Per-file
 * failures are in the report; the call fails only when nothing can run. progress, cancel and
 * user_data may be NULL. */
GPEN_C_API gpen_status gpen_restore_batch(gpen_restorer* restorer, const char* const* inputs, int input_count,
                                          const gpen_batch_params* batch, const gpen_restore_params* params,
                                          gpen_batch_report** out);
/* The 0.1 form of gpen_restore_batch, kept for source compatibility: progress and cancel (with
   user_data) are used where batch->progress_callback / abort_callback are NULL. */
GPEN_C_API gpen_status gpen_restore_files(gpen_restorer* restorer, const char* const* inputs, int input_count,
                                          const gpen_batch_params* batch, const gpen_restore_params* params,
                                          gpen_progress_fn progress, gpen_cancel_fn cancel, void* user_data,
                                          gpen_batch_report** out);
GPEN_C_API void gpen_batch_report_destroy(gpen_batch_report* report);
GPEN_C_API int gpen_batch_report_file_count(const gpen_batch_report* report);
/* Counts; any pointer may be NULL. */
GPEN_C_API void gpen_batch_report_counts(const gpen_batch_report* report, int* restored, int* failed,
                                         int* skipped, int* cancelled, long long* faces);
GPEN_C_API double gpen_batch_report_wall_seconds(const gpen_batch_report* report);
GPEN_C_API double gpen_batch_report_compute_busy_fraction(const gpen_batch_report* report);
/* File `index`: strings are library-owned; any out pointer may be NULL. */
GPEN_C_API gpen_status gpen_batch_report_file(const gpen_batch_report* report, int index, const char** input,
                                              const char** output, gpen_file_status* status,
                                              const char** error, int* faces);

/* Restores every frame of the video `input` into `output` (gpen/video.hpp): frame count,
 * timestamps and rotation kept, audio and subtitles copied, written atomically (nothing under
 * `output` unless complete). params and video may be NULL (defaults); params->abort_callback
 * cancels between frames (GPEN_ERR_CANCELLED). report may be NULL; else set its struct_size.
 * A build without FFmpeg's libraries fails with GPEN_ERR_DECODE_FAILED and says so. */
GPEN_C_API gpen_status gpen_restore_video(gpen_restorer* restorer, const char* input, const char* output,
                                          const gpen_restore_params* params, const gpen_video_params* video,
                                          gpen_video_report* report);

#ifdef __cplusplus
}
#endif

#endif /* GPEN_C_H */
