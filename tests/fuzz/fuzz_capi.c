/* libFuzzer target: the C ABI as a careless or hostile caller uses it. Each input is read as a
 * stream of choices: parameter structs with any struct_size, enum and number values, images
 * with any width, height, channels, depth, order and stride (over a buffer exactly as large as
 * the caller says), result copies into buffers of any size and stride, face indices out of
 * range. Every call must return a status (never crash, never touch memory it was not given);
 * a failed call must leave a message in gpen_last_error. Restores use the classic path (no
 * model) so that an input runs in milliseconds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpen_c.h"

typedef struct {
  const uint8_t* data;
  size_t size;
  size_t at;
} stream;

static uint32_t take(stream* s, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | (s->at < s->size ? s->data[s->at++] : 0);
  return v;
}

static int take_int(stream* s) { return (int)take(s, 4); }
static float take_float(stream* s) {
  uint32_t bits = take(s, 4);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static void check(gpen_status status) {
  if (status != GPEN_OK && (gpen_last_error() == NULL || gpen_last_error()[0] == '\0')) abort();
}

static gpen_restorer* classic = NULL;

int LLVMFuzzerInitialize(int* argc, char*** argv) {
  (void)argc;
  (void)argv;
  gpen_restorer_params p = gpen_restorer_default_params();
  p.threads = 1;
  if (gpen_restorer_create(&p, &classic) != GPEN_OK) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  stream s = {data, size, 0};

  /* Parameter structs: init with any size, then any field values. */
  gpen_restore_params rp;
  memset(&rp, 0, sizeof rp);
  uint32_t rp_size = take(&s, 1);
  check(gpen_restore_params_init(&rp, rp_size <= sizeof rp ? rp_size : (uint32_t)sizeof rp));
  rp = gpen_restore_default_params();
  if (take(&s, 1) & 1) rp.struct_size = take(&s, 1) % (sizeof rp + 8);
  if (take(&s, 1) & 1) rp.strength = take_float(&s);
  if (take(&s, 1) & 1) rp.mode = (gpen_mode)take_int(&s);
  if (take(&s, 1) & 1) rp.denoise = take_float(&s);
  if (take(&s, 1) & 1) rp.max_faces = take_int(&s);
  if (take(&s, 1) & 1) rp.min_face_size = take_float(&s);

  gpen_restorer_params op = gpen_restorer_default_params();
  if (take(&s, 1) == 7) { /* rarely: a create that must fail cleanly or succeed */
    op.struct_size = take(&s, 1) % (sizeof op + 8);
    op.precision = (gpen_precision)take_int(&s);
    op.photo_ops = (gpen_photo_ops)take_int(&s);
    op.max_batch = take_int(&s);
    op.model_path = "/nonexistent/model.pt";
    gpen_restorer* r = NULL;
    check(gpen_restorer_create(&op, &r));
    gpen_restorer_destroy(r);
  }

  /* An image: the buffer is exactly stride * height bytes, as the caller says. */
  gpen_image img;
  memset(&img, 0, sizeof img);
  img.width = (int)(take(&s, 1) % 72) - 4;
  img.height = (int)(take(&s, 1) % 72) - 4;
  img.channels = (int)(take(&s, 1) % 7) - 1;
  img.depth = (take(&s, 1) & 1) ? 8 : (int)take(&s, 1);
  img.order = (gpen_color_order)(int)(take(&s, 1) % 5 - 1);
  size_t row = (img.width > 0 && img.channels > 0) ? (size_t)img.width * (size_t)img.channels * (img.depth == 16 ? 2 : 1) : 0;
  size_t stride = row + take(&s, 1) % 9;
  if (take(&s, 1) == 3) stride = (size_t)take_int(&s); /* a lie: the library must not trust it past the checks */
  img.stride = stride;
  size_t bytes = (img.height > 0 && stride <= 1 << 20) ? stride * (size_t)img.height : 0;
  uint8_t* pixels = bytes ? (uint8_t*)malloc(bytes) : NULL;
  for (size_t i = 0; i < bytes; ++i) pixels[i] = s.at < s.size ? s.data[s.at + i % (s.size - s.at)] : (uint8_t)i;
  img.data = (take(&s, 1) == 5) ? NULL : pixels;
  if (pixels == NULL && stride > 1 << 20) img.data = NULL; /* never hand over memory we do not have */

  gpen_result* result = NULL;
  gpen_status st = (take(&s, 1) & 1) ? gpen_restore(classic, &img, (take(&s, 1) & 1) ? &rp : NULL, &result)
                                     : gpen_restore_aligned(classic, &img, &rp, &result);
  check(st);
  if (st == GPEN_OK) {
    gpen_image out = gpen_result_image(result);
    size_t dst_stride = (size_t)take(&s, 2);
    if (take(&s, 1) == 9) dst_stride = SIZE_MAX - (size_t)take(&s, 1); /* the old overflow */
    size_t dst_size = (size_t)take(&s, 3) % (1 << 18);
    uint8_t* dst = dst_size ? (uint8_t*)malloc(dst_size) : NULL;
    check(gpen_result_copy_image(result, dst, dst_size, dst_stride));
    free(dst);
    gpen_face face;
    int n = gpen_result_face_count(result);
    check(gpen_result_face(result, take_int(&s), &face));
    gpen_image crop;
    check(gpen_result_face_crop(result, n > 0 ? 0 : take_int(&s), take_int(&s), &crop));
    (void)out;
    gpen_result_destroy(result);
  }
  free(pixels);
  /* NULL handles everywhere. */
  check(gpen_restore(NULL, &img, NULL, &result));
  check(gpen_result_copy_image(NULL, NULL, 0, 0));
  gpen_result_destroy(NULL);
  return 0;
}
