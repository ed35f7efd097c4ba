/* Restore photos with the C ABI: restore_files [MODEL.pt|-] OUTDIR FILE_OR_DIR...
 * ("-" for no model: the classic path). Build against an installed gpen:
 *   cc restore_files.c $(pkg-config --cflags --libs gpen) -o restore_files */
#include <stdio.h>

#include "gpen_c.h"

static void on_progress(const gpen_progress* p, void* user_data) {
  (void)user_data;
  printf("[%d/%d] %s\n", p->done, p->total, p->file);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: restore_files MODEL.pt|- OUTDIR FILE_OR_DIR...\n");
    return 2;
  }
  gpen_restorer_params rp = gpen_restorer_default_params();
  rp.model_path = (argv[1][0] == '-' && argv[1][1] == '\0') ? NULL : argv[1];
  gpen_restorer* restorer = NULL;
  if (gpen_restorer_create(&rp, &restorer) != GPEN_OK) {
    fprintf(stderr, "error: %s\n", gpen_last_error());
    return 2;
  }

  gpen_batch_params batch = gpen_batch_default_params();
  batch.output_dir = argv[2];
  batch.recursive = 1;
  gpen_restore_params params = gpen_restore_default_params();
  gpen_restore_params_preset("old-photo", &params);

  batch.progress_callback = on_progress;  /* batch.abort_callback would let it stop early */

  gpen_batch_report* report = NULL;
  gpen_status status = gpen_restore_batch(restorer, (const char* const*)(argv + 3), argc - 3, &batch, &params,
                                          &report);
  if (status != GPEN_OK) {
    fprintf(stderr, "error: %s\n", gpen_last_error());
    gpen_restorer_destroy(restorer);
    return 2;
  }
  int restored = 0, failed = 0;
  long long faces = 0;
  gpen_batch_report_counts(report, &restored, &failed, NULL, NULL, &faces);
  for (int i = 0; i < gpen_batch_report_file_count(report); ++i) {
    const char *input, *error;
    gpen_file_status fs;
    gpen_batch_report_file(report, i, &input, NULL, &fs, &error, NULL);
    if (fs == GPEN_FILE_FAILED) fprintf(stderr, "failed: %s: %s\n", input, error);
  }
  printf("restored %d files (%lld faces), %d failed\n", restored, faces, failed);
  gpen_batch_report_destroy(report);
  gpen_restorer_destroy(restorer);
  return failed ? 1 : 0;
}
