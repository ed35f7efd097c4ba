/* Drives the whole C ABI, error paths included. Compiled as C99.
 * usage: test_capi MODELS_DIR WORK_DIR (MODELS_DIR as written by tests/make_test_models.py) */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpen_c.h"

static int passed = 0, failed = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      ++passed;                                                            \
    } else {                                                               \
      ++failed;                                                            \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);   \
    }                                                                      \
  } while (0)

#define CHECK_ERROR(call, status, fragment)                                              \
  do {                                                                                   \
    gpen_status s_ = (call);                                                             \
    CHECK(s_ == (status));                                                               \
    if (strstr(gpen_last_error(), (fragment)) == NULL) {                                 \
      ++failed;                                                                          \
      fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__,            \
              gpen_last_error(), (fragment));                                            \
    } else {                                                                             \
      ++passed;                                                                          \
    }                                                                                    \
  } while (0)

static unsigned char* pattern(int w, int h, int channels) {
  unsigned char* p = malloc((size_t)w * h * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        p[((size_t)y * w + x) * channels + c] = (unsigned char)(128 + 60 * sin(0.05 * x * (c + 1)) + 50 * cos(0.07 * y));
  return p;
}

static int progress_calls = 0;
static void on_progress(const gpen_progress* p, void* user_data) {
  (void)user_data;
  ++progress_calls;
  if (p->done < 1 || p->done > p->total) ++failed;
}
static int always_abort(void* user_data) {
  (void)user_data;
  return 1;
}

static int never_cancel(void* user_data) { (void)user_data; return 0; }

static long long video_frames_seen = 0;
static void on_video_progress(const gpen_video_progress* p, void* user_data) {
  (void)user_data;
  video_frames_seen = p->frames_done;
  if (p->frames_done < 1 || p->frames_total < p->frames_done) ++failed;
}

/* gpen_restore_video on a clip made with Debian's ffmpeg tool (skipped without it). */
static void test_video(gpen_restorer* classic, const char* work) {
  char clip[4096], out[4096], folder[4096], command[8192];
  snprintf(clip, sizeof clip, "%s/clip.mp4", work);
  snprintf(out, sizeof out, "%s/clip-out.mkv", work);
  snprintf(command, sizeof command,
           "ffmpeg -y -v error -nostdin -f lavfi -i testsrc=size=96x64:rate=25 -f lavfi -i sine -t 1 "
           "-c:v libx264 -pix_fmt yuv420p -c:a aac -shortest '%s' >/dev/null 2>&1", clip);
  if (system(command) != 0) {
    printf("SKIPPED: gpen_restore_video: the ffmpeg tool is not installed (Debian package ffmpeg)\n");
    return;
  }
  gpen_video_params vp = gpen_video_default_params();
  CHECK(vp.struct_size == sizeof vp);
  CHECK(strcmp(vp.video_codec, "h264") == 0 && vp.crf == 18 && vp.detect_every == 1 && fabsf(vp.smoothing - 0.5f) < 1e-6f);
  vp.video_codec = "ffv1";
  vp.detect_every = 5;
  vp.progress_callback = on_video_progress;
  gpen_video_report report;
  memset(&report, 0, sizeof report);
  report.struct_size = sizeof report;
  CHECK(gpen_restore_video(classic, clip, out, NULL, &vp, &report) == GPEN_OK);
  CHECK(report.frames == 25 && report.detections == 5 && report.copied_streams == 1);
  CHECK(report.width == 96 && report.height == 64 && report.seconds > 0);
  CHECK(video_frames_seen == 25);
  struct stat st;
  CHECK(stat(out, &st) == 0 && st.st_size > 0);
  /* An older caller's report struct: only its prefix is written. */
  gpen_video_report small;
  memset(&small, 0x7f, sizeof small);
  small.struct_size = (uint32_t)offsetof(gpen_video_report, detections);
  CHECK(gpen_restore_video(classic, clip, out, NULL, NULL, &small) == GPEN_OK);
  CHECK(small.frames == 25 && small.detections == 0x7f7f7f7f7f7f7f7fLL);
  /* A folder of frames, NULL report. */
  gpen_video_params frames = gpen_video_default_params();
  frames.frames_dir = 1;
  snprintf(folder, sizeof folder, "%s/clip-frames", work);
  CHECK(gpen_restore_video(classic, clip, folder, NULL, &frames, NULL) == GPEN_OK);
  snprintf(command, sizeof command, "%s/000025.png", folder);
  CHECK(stat(command, &st) == 0);
  /* Errors: clear, nothing written. */
  snprintf(out, sizeof out, "%s/never.mp4", work);
  gpen_video_params bad = gpen_video_default_params();
  bad.video_codec = "mpeg2";
  CHECK_ERROR(gpen_restore_video(classic, clip, out, NULL, &bad, NULL), GPEN_ERR_INVALID_ARGUMENT, "video_codec must be");
  bad = gpen_video_default_params();
  bad.crf = 99;
  CHECK_ERROR(gpen_restore_video(classic, clip, out, NULL, &bad, NULL), GPEN_ERR_INVALID_ARGUMENT, "crf must be 0-63, got 99");
  bad.struct_size = 0;
  CHECK_ERROR(gpen_restore_video(classic, clip, out, NULL, &bad, NULL), GPEN_ERR_INVALID_ARGUMENT, "gpen_video_params.struct_size is 0");
  CHECK_ERROR(gpen_restore_video(classic, NULL, out, NULL, NULL, NULL), GPEN_ERR_INVALID_ARGUMENT, "input");
  gpen_video_report unset;
  memset(&unset, 0, sizeof unset);
  CHECK_ERROR(gpen_restore_video(classic, clip, out, NULL, NULL, &unset), GPEN_ERR_INVALID_ARGUMENT, "report->struct_size is 0");
  gpen_restore_params stop = gpen_restore_default_params();
  stop.abort_callback = always_abort;
  CHECK_ERROR(gpen_restore_video(classic, clip, out, &stop, NULL, NULL), GPEN_ERR_CANCELLED, "cancelled");
  CHECK(stat(out, &st) != 0);
  gpen_video_params init;
  CHECK(gpen_video_params_init(&init, sizeof init) == GPEN_OK && init.crf == 18);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: test_capi MODELS_DIR WORK_DIR\n");
    return 2;
  }
  char path[4096], out_dir[4096], in_file[4096];
  const char* models = argv[1];
  const char* work = argv[2];

  CHECK(strcmp(gpen_version(), "0.1.0") == 0);
  CHECK(strcmp(gpen_status_name(GPEN_ERR_INVALID_MODEL), "invalid-model") == 0);
  CHECK(strcmp(gpen_status_name(GPEN_OK), "ok") == 0);

  /* Defaults carry their size; presets fill the struct. */
  gpen_restorer_params rp = gpen_restorer_default_params();
  CHECK(rp.struct_size == sizeof(gpen_restorer_params));
  CHECK(rp.max_batch == 4 && rp.threads == 0);
  gpen_restorer_params inited;
  CHECK(gpen_restorer_params_init(&inited, sizeof inited) == GPEN_OK);
  CHECK(inited.struct_size == sizeof inited && inited.max_batch == 4 && inited.warmup == 1);
  CHECK_ERROR(gpen_restorer_params_init(&inited, 2), GPEN_ERR_INVALID_ARGUMENT, "is not a struct size");
  gpen_batch_params binit;
  CHECK(gpen_batch_params_init(&binit, sizeof binit) == GPEN_OK && binit.quality == gpen_batch_default_params().quality);
  gpen_restore_params params = gpen_restore_default_params();
  CHECK(params.strength == 100.0f && params.mode == GPEN_MODE_NATURAL && params.upscale == 1);
  gpen_restore_params old = gpen_restore_default_params();
  CHECK(gpen_restore_params_preset("old-photo", &old) == GPEN_OK);
  CHECK(old.mode == GPEN_MODE_STRONG && old.denoise == 25.0f);
  CHECK_ERROR(gpen_restore_params_preset("sepia", &old), GPEN_ERR_INVALID_ARGUMENT, "unknown preset 'sepia'");

  /* Creating restorers: errors first. */
  gpen_restorer* r = NULL;
  snprintf(path, sizeof path, "%s/missing.pt", models);
  rp.model_path = path;
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_FILE_NOT_FOUND, "model file not found");
  CHECK(r == NULL);
  snprintf(path, sizeof path, "%s/not-a-model.pt", models);
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_INVALID_MODEL, "not a TorchScript archive");
  snprintf(path, sizeof path, "%s/no-meta.pt", models);
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_INVALID_MODEL, "has no gpen/meta.json metadata");
  snprintf(path, sizeof path, "%s/random-64.pt", models);
  rp.device = "cuda:7";
  gpen_status s = gpen_restorer_create(&rp, &r);
  CHECK(s == GPEN_ERR_DEVICE_UNAVAILABLE || s == GPEN_OK);
  gpen_restorer_destroy(r);
  r = NULL;
  rp.device = "gpu";
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_INVALID_ARGUMENT, "device must be");
  rp.device = "cpu";
  rp.max_batch = 0;
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_INVALID_ARGUMENT, "max_batch must be 1-256, got 0");
  rp.max_batch = 4;
  /* The detector spec and its model are checked at create time, not at the first photo. */
  rp.detector = "haar";
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_INVALID_ARGUMENT,
              "detector must be \"dlib\" or \"retinaface:NAME|PATH\", got \"haar\"");
  rp.detector = "retinaface:/missing/detector.pt";
  CHECK_ERROR(gpen_restorer_create(&rp, &r), GPEN_ERR_FILE_NOT_FOUND, "/missing/detector.pt");
  rp.detector = "dlib";
  gpen_restorer_params bad = rp;
  bad.struct_size = 2;
  CHECK_ERROR(gpen_restorer_create(&bad, &r), GPEN_ERR_INVALID_ARGUMENT, "struct_size is 2");
  CHECK_ERROR(gpen_restorer_create(&rp, NULL), GPEN_ERR_INVALID_ARGUMENT, "out is NULL");

  /* An older caller whose struct ends before max_batch: the rest keep their defaults. */
  gpen_restorer_params short_params = rp;
  short_params.struct_size = (uint32_t)offsetof(gpen_restorer_params, max_batch);
  CHECK(gpen_restorer_create(&short_params, &r) == GPEN_OK);
  gpen_restorer_destroy(r);
  /* A struct_size ending inside a field (found by fuzz_capi: half of model_path was copied over
     the default pointer): only whole fields are read, the rest keep their defaults. */
  short_params.model_path = (const char*)(uintptr_t)0x1; /* never read: not covered whole */
  short_params.struct_size = (uint32_t)(offsetof(gpen_restorer_params, model_path) + 4);
  CHECK(gpen_restorer_create(&short_params, &r) == GPEN_OK);
  CHECK(gpen_restorer_has_model(r) == 0);
  gpen_restorer_destroy(r);

  CHECK(gpen_restorer_create(&rp, &r) == GPEN_OK);
  CHECK(strcmp(gpen_last_error(), "") == 0);
  CHECK(gpen_restorer_model_size(r) == 64);
  CHECK(gpen_restorer_has_model(r) == 1);

  /* Device memory: nothing to report on the CPU; a cap there is refused by name. */
  gpen_memory_stats mem;
  memset(&mem, 0xff, sizeof mem);
  CHECK(gpen_restorer_memory_stats(r, &mem) == GPEN_OK);
  CHECK(mem.device_memory == 0 && mem.reserved_bytes == 0 && mem.total_bytes == 0);
  CHECK_ERROR(gpen_restorer_memory_stats(r, NULL), GPEN_ERR_INVALID_ARGUMENT, "out is NULL");
  CHECK(rp.warmup == 1 && rp.memory_limit_mb == 0 && rp.photo_ops == GPEN_PHOTO_OPS_AUTO);
  gpen_restorer* other = NULL;
  gpen_restorer_params capped = rp;
  capped.memory_limit_mb = 256;
  CHECK_ERROR(gpen_restorer_create(&capped, &other), GPEN_ERR_INVALID_ARGUMENT,
              "memory_limit_mb applies to CUDA devices only");
  capped = rp;
  capped.photo_ops = (gpen_photo_ops)7;
  CHECK_ERROR(gpen_restorer_create(&capped, &other), GPEN_ERR_INVALID_ARGUMENT, "photo_ops must be");
  CHECK(strcmp(gpen_status_name(GPEN_ERR_OUT_OF_MEMORY), "out-of-memory") == 0);

  /* Aligned face: memory in, memory out. */
  unsigned char* face = pattern(64, 64, 3);
  gpen_image view = {face, 64, 64, 3, 8, 0, GPEN_BGR};
  gpen_result* res = NULL;
  CHECK(gpen_restore_aligned(r, &view, NULL, &res) == GPEN_OK);
  gpen_image out = gpen_result_image(res);
  CHECK(out.width == 64 && out.height == 64 && out.channels == 3 && out.data != NULL);
  CHECK(gpen_result_face_count(res) == 0);
  unsigned char* copy = malloc(64 * 64 * 3);
  CHECK(gpen_result_copy_image(res, copy, 64 * 64 * 3, 0) == GPEN_OK);
  CHECK(memcmp(copy, out.data, 64 * 64 * 3) == 0);
  CHECK_ERROR(gpen_result_copy_image(res, copy, 100, 0), GPEN_ERR_INVALID_ARGUMENT, "dst_size 100 is too small");
  CHECK_ERROR(gpen_result_copy_image(res, copy, 64 * 64 * 3, 10), GPEN_ERR_INVALID_ARGUMENT, "dst_stride 10");
  CHECK_ERROR(gpen_result_copy_image(res, copy, 64 * 64 * 3, SIZE_MAX / 2), GPEN_ERR_INVALID_ARGUMENT,
              "is too large");
  gpen_result_destroy(res);

  /* Strength 0 gives the input back (aligned crops of the model size). */
  gpen_restore_params zero = gpen_restore_default_params();
  zero.strength = 0;
  CHECK(gpen_restore_aligned(r, &view, &zero, &res) == GPEN_OK);
  CHECK(memcmp(gpen_result_image(res).data, face, 64 * 64 * 3) == 0);
  gpen_result_destroy(res);

  /* Bad images and parameters. */
  gpen_image tiny = {face, 1, 1, 3, 8, 0, GPEN_BGR};
  CHECK_ERROR(gpen_restore_aligned(r, &tiny, NULL, &res), GPEN_ERR_INVALID_IMAGE, "at least 16x16");
  CHECK(res == NULL);
  gpen_image null_data = {NULL, 64, 64, 3, 8, 0, GPEN_BGR};
  CHECK_ERROR(gpen_restore(r, &null_data, NULL, &res), GPEN_ERR_INVALID_IMAGE, "no pixel data");
  gpen_image two = {face, 64, 64, 2, 8, 0, GPEN_BGR};
  CHECK_ERROR(gpen_restore(r, &two, NULL, &res), GPEN_ERR_INVALID_IMAGE, "2 channels");
  CHECK_ERROR(gpen_restore(r, NULL, NULL, &res), GPEN_ERR_INVALID_ARGUMENT, "image is NULL");
  CHECK_ERROR(gpen_restore(NULL, &view, NULL, &res), GPEN_ERR_INVALID_ARGUMENT, "restorer is NULL");
  gpen_restore_params nan_params = gpen_restore_default_params();
  nan_params.strength = NAN;
  CHECK_ERROR(gpen_restore(r, &view, &nan_params, &res), GPEN_ERR_INVALID_ARGUMENT, "strength");
  gpen_restore_params bad_mode = gpen_restore_default_params();
  bad_mode.mode = (gpen_mode)7;
  CHECK_ERROR(gpen_restore(r, &view, &bad_mode, &res), GPEN_ERR_INVALID_ARGUMENT, "mode must be");

  gpen_image bad_order = view;
  bad_order.order = (gpen_color_order)7;
  CHECK_ERROR(gpen_restore(r, &bad_order, NULL, &res), GPEN_ERR_INVALID_ARGUMENT,
              "image order must be GPEN_BGR (0) or GPEN_RGB (1), got 7");

  /* Whole photo: a photo without faces comes back as it is, with 0 faces. */
  unsigned char* photo = pattern(160, 120, 3);
  gpen_image pv = {photo, 160, 120, 3, 8, 0, GPEN_RGB};
  CHECK(gpen_restore(r, &pv, NULL, &res) == GPEN_OK);
  CHECK(gpen_result_face_count(res) == 0);
  out = gpen_result_image(res);
  CHECK(out.width == 160 && out.order == GPEN_RGB && memcmp(out.data, photo, 160 * 120 * 3) == 0);
  gpen_face f;
  CHECK_ERROR(gpen_result_face(res, 0, &f), GPEN_ERR_INVALID_ARGUMENT, "face index 0 is out of range (0 faces)");
  gpen_image crop;
  CHECK_ERROR(gpen_result_face_crop(res, 3, 1, &crop), GPEN_ERR_INVALID_ARGUMENT, "out of range");
  gpen_result_destroy(res);

  /* Whole photo with faces, from memory: the Solvay photograph as PPM (RGB), if ../shared exists. */
  snprintf(in_file, sizeof in_file, "%s/solvay.ppm", models);
  FILE* ppm = fopen(in_file, "rb");
  if (ppm) {
    int w = 0, h = 0, maxval = 0;
    CHECK(fscanf(ppm, "P6 %d %d %d", &w, &h, &maxval) == 3 && maxval == 255);
    fgetc(ppm);
    unsigned char* rgb = malloc((size_t)w * h * 3);
    CHECK(fread(rgb, 1, (size_t)w * h * 3, ppm) == (size_t)w * h * 3);
    fclose(ppm);
    gpen_image sv = {rgb, w, h, 3, 8, 0, GPEN_RGB};
    gpen_restore_params sp = gpen_restore_default_params();
    sp.strength = 80;
    CHECK(gpen_restore(r, &sv, &sp, &res) == GPEN_OK);
    const int n = gpen_result_face_count(res);
    printf("c api: %d faces in the Solvay photograph (from memory)\n", n);
    CHECK(n >= 25);
    gpen_face face0;
    CHECK(gpen_result_face(res, 0, &face0) == GPEN_OK);
    CHECK(face0.box[2] >= 32.0f && face0.score > 0.0f);
    CHECK(face0.landmarks[0][0] < face0.landmarks[1][0]);  /* left eye left of the right eye */
    CHECK(face0.landmarks[0][1] < face0.landmarks[3][1]);  /* eyes above the mouth */
    gpen_image rc;
    CHECK(gpen_result_face_crop(res, 0, 1, &rc) == GPEN_OK && rc.width == 64 && rc.channels == 3);
    CHECK(gpen_result_face_crop(res, 0, 0, &rc) == GPEN_OK && rc.width == 64);
    out = gpen_result_image(res);
    CHECK(out.width == w && out.height == h && out.order == GPEN_RGB);
    unsigned char* restored = malloc((size_t)w * h * 3);
    CHECK(gpen_result_copy_image(res, restored, (size_t)w * h * 3, 0) == GPEN_OK);
    CHECK(memcmp(restored, rgb, (size_t)w * h * 3) != 0); /* faces were pasted */
    gpen_result_destroy(res);

    /* The same through the device path (LibTorch tensor ops; here on the CPU): close to the host's. */
    gpen_restorer_params dp = rp;
    dp.photo_ops = GPEN_PHOTO_OPS_DEVICE;
    gpen_restorer* dr = NULL;
    CHECK(gpen_restorer_create(&dp, &dr) == GPEN_OK);
    CHECK(gpen_restore(dr, &sv, &sp, &res) == GPEN_OK);
    CHECK(gpen_result_face_count(res) == n);
    out = gpen_result_image(res);
    double total = 0.0;
    const unsigned char* dev = (const unsigned char*)out.data;
    for (size_t i = 0; i < (size_t)w * h * 3; ++i) total += abs((int)dev[i] - (int)restored[i]);
    printf("c api: device path vs host path: mean |diff| %.3f levels\n", total / ((double)w * h * 3));
    CHECK(total / ((double)w * h * 3) < 0.5);
    gpen_result_destroy(res);
    gpen_restorer_destroy(dr);
    free(restored);
    free(rgb);
  } else {
    printf("SKIPPED: %s not found (../shared is needed)\n", in_file);
  }

  /* Batch over files: one good, one broken; progress and report. */
  snprintf(in_file, sizeof in_file, "%s/face-64.png", models);
  snprintf(path, sizeof path, "%s/broken.png", work);
  FILE* broken = fopen(path, "w");
  fputs("not a png", broken);
  fclose(broken);
  snprintf(out_dir, sizeof out_dir, "%s/batch-out", work);
  gpen_batch_params bp = gpen_batch_default_params();
  bp.output_dir = out_dir;
  bp.aligned = 1;
  const char* inputs[] = {in_file, path};
  gpen_batch_report* rep = NULL;
  progress_calls = 0;
  CHECK(gpen_restore_files(r, inputs, 2, &bp, NULL, on_progress, never_cancel, NULL, &rep) == GPEN_OK);
  CHECK(progress_calls == 2);
  CHECK(gpen_batch_report_file_count(rep) == 2);
  int restored = 0, nfailed = 0, skipped = 0, cancelled = 0;
  gpen_batch_report_counts(rep, &restored, &nfailed, &skipped, &cancelled, NULL);
  CHECK(restored == 1 && nfailed == 1 && skipped == 0 && cancelled == 0);
  const char *input = NULL, *output = NULL, *error = NULL;
  gpen_file_status fs;
  CHECK(gpen_batch_report_file(rep, 1, &input, &output, &fs, &error, NULL) == GPEN_OK);
  CHECK(fs == GPEN_FILE_FAILED && strstr(error, "broken.png") != NULL);
  CHECK(gpen_batch_report_file(rep, 0, NULL, &output, &fs, NULL, NULL) == GPEN_OK);
  CHECK(fs == GPEN_FILE_RESTORED && strstr(output, "batch-out/face-64.png") != NULL);
  CHECK_ERROR(gpen_batch_report_file(rep, 5, NULL, NULL, NULL, NULL, NULL), GPEN_ERR_INVALID_ARGUMENT, "out of range");
  CHECK(gpen_batch_report_wall_seconds(rep) > 0.0);
  gpen_batch_report_destroy(rep);
  bp.skip_existing = 1;
  CHECK(gpen_restore_files(r, inputs, 1, &bp, NULL, NULL, NULL, NULL, &rep) == GPEN_OK);
  gpen_batch_report_counts(rep, NULL, NULL, &skipped, NULL, NULL);
  CHECK(skipped == 1);
  gpen_batch_report_destroy(rep);
  bp.output_dir = NULL;
  CHECK_ERROR(gpen_restore_files(r, inputs, 1, &bp, NULL, NULL, NULL, NULL, &rep), GPEN_ERR_INVALID_ARGUMENT,
              "no output directory");
  bp.output_dir = out_dir;
  bp.format = "gif";
  CHECK_ERROR(gpen_restore_files(r, inputs, 1, &bp, NULL, NULL, NULL, NULL, &rep), GPEN_ERR_INVALID_ARGUMENT,
              "format must be png, jpg or webp");
  CHECK_ERROR(gpen_restore_files(r, NULL, 1, &bp, NULL, NULL, NULL, NULL, &rep), GPEN_ERR_INVALID_ARGUMENT,
              "inputs is NULL");

  /* 0.2: callbacks inside the params structs; gpen_restore_batch; single restores abortable. */
  bp.format = NULL;
  bp.progress_callback = on_progress;
  bp.skip_existing = 0;
  progress_calls = 0;
  CHECK(gpen_restore_batch(r, inputs, 2, &bp, NULL, &rep) == GPEN_OK);
  CHECK(progress_calls == 2);
  gpen_batch_report_destroy(rep);
  bp.abort_callback = always_abort;
  CHECK(gpen_restore_batch(r, inputs, 2, &bp, NULL, &rep) == GPEN_OK);
  gpen_batch_report_counts(rep, &restored, NULL, NULL, &cancelled, NULL);
  CHECK(restored == 0 && cancelled == 2);
  gpen_batch_report_destroy(rep);
  gpen_restore_params stop = gpen_restore_default_params();
  stop.abort_callback = always_abort;
  CHECK_ERROR(gpen_restore_aligned(r, &view, &stop, &res), GPEN_ERR_CANCELLED, "cancelled");
  CHECK(res == NULL);
  CHECK(strcmp(gpen_status_name(GPEN_ERR_CANCELLED), "cancelled") == 0);

  /* The classic path: no model. */
  gpen_restorer* classic = NULL;
  gpen_restorer_params cp = gpen_restorer_default_params();
  CHECK(gpen_restorer_create(&cp, &classic) == GPEN_OK);
  CHECK(gpen_restorer_has_model(classic) == 0);
  CHECK(gpen_restorer_model_size(classic) == 512);
  CHECK(gpen_restore_aligned(classic, &view, NULL, &res) == GPEN_OK);
  CHECK(gpen_result_image(res).width == 512);
  gpen_result_destroy(res);
  test_video(classic, argv[2]);
  gpen_restorer_destroy(classic);

  /* NULL handles are harmless. */
  gpen_restorer_destroy(NULL);
  gpen_result_destroy(NULL);
  gpen_batch_report_destroy(NULL);
  CHECK(gpen_restorer_model_size(NULL) == 0);
  CHECK(gpen_result_face_count(NULL) == 0);

  gpen_restorer_destroy(r);
  free(face);
  free(copy);
  free(photo);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
