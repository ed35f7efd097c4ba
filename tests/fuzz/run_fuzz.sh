#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs each for a short time from a seed corpus. A crash, sanitizer report or trap fails it.
# usage: run_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS] [LIB_DIR]
# LIB_DIR: the build's lib/ (libgpen.so), for the C ABI target: capi/gpen_c.cpp is compiled
# instrumented here and linked against the library built as usual.
# Crashes found become regression inputs under tests/fuzz/regressions/TARGET/, replayed first.
set -uo pipefail
src=$1 work=$2 seconds=${3:-20} libdir=${4:-}
cxx=$(command -v clang++-14 || command -v clang++ || true)
cc=$(command -v clang-14 || command -v clang || true)
probe='extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }'
if [ -z "$cxx" ] || ! echo "$probe" | "$cxx" -x c++ -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
  echo "SKIPPED: fuzzing needs clang with libFuzzer (Debian clang-14 + libclang-rt-14-dev)"
  exit 0
fi
mkdir -p "$work"
flags=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$src/include" -I"$src/src")
build() {  # name sources...
  local name=$1; shift
  "$cxx" "${flags[@]}" "$@" -o "$work/$name" || { echo "FAILED: cannot build $name"; exit 1; }
}
build fuzz_image_header "$src/tests/fuzz/fuzz_image_header.cpp" "$src/src/io/image_header.cpp" "$src/src/io/image_damage.cpp"
build fuzz_params "$src/tests/fuzz/fuzz_params.cpp" "$src/src/core/param_table.cpp" \
  "$src/src/core/string_list.cpp" "$src/src/core/error.cpp"
opencv=(-I/usr/include/opencv4 -lopencv_imgcodecs -lopencv_imgproc -lopencv_core)
build fuzz_decode_image "$src/tests/fuzz/fuzz_decode_image.cpp" "$src/src/io/io.cpp" "$src/src/io/image_damage.cpp" \
  "$src/src/io/image_header.cpp" "$src/src/io/atomic_file.cpp" "$src/src/imaging/image_convert.cpp" \
  "$src/src/core/image.cpp" "$src/src/core/error.cpp" "${opencv[@]}"
build fuzz_model_metadata "$src/tests/fuzz/fuzz_model_metadata.cpp" "$src/src/model/model_metadata.cpp" \
  "$src/src/core/error.cpp" "${opencv[@]}"
build fuzz_cli_args "$src/tests/fuzz/fuzz_cli_args.cpp" "$src/src/cli/cli_args.cpp" "$src/src/core/param_table.cpp" \
  "$src/src/core/params.cpp" "$src/src/core/string_list.cpp" "$src/src/core/error.cpp" "$src/src/core/version.cpp"
capi_target=""
if [ -n "$libdir" ] && [ -f "$libdir/libgpen.so" ]; then
  "$cc" -std=c99 -O1 -g -fsanitize=fuzzer,address,undefined -I"$src/capi" -c "$src/tests/fuzz/fuzz_capi.c" \
    -o "$work/fuzz_capi.o" || { echo "FAILED: cannot build fuzz_capi"; exit 1; }
  build fuzz_capi "$work/fuzz_capi.o" "$src/capi/gpen_c.cpp" -I"$src/capi" -L"$libdir" -lgpen -Wl,-rpath,"$libdir"
  capi_target=fuzz_capi:$work/seeds-capi
  build fuzz_model_file "$src/tests/fuzz/fuzz_model_file.cpp" -L"$libdir" -lgpen -Wl,-rpath,"$libdir"
  capi_target="$capi_target fuzz_model_file:$work/seeds-model"
else
  echo "SKIPPED: fuzz_capi, fuzz_model_file: no libgpen.so given (LIB_DIR)"
fi
build fuzz_upload "$src/tests/fuzz/fuzz_upload.cpp" "$src/src/server/zip_archive.cpp" \
  "$src/src/server/request_params.cpp" "$src/src/server/api_error.cpp" \
  "$src/src/core/param_table.cpp" "$src/src/core/params.cpp" "$src/src/core/string_list.cpp" \
  "$src/src/core/error.cpp" "$src/src/core/version.cpp" -lzip

# Seeds: small valid headers of each format, and parameter texts.
seeds=$work/seeds-image; mkdir -p "$seeds"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0' >"$seeds/png"
printf '\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xc0\0\x11\x08\0\x10\0\x10\x03\x01\x22\0\x02\x11\x01\x03\x11\x01\xff\xda\0\x08\xff\xd9' >"$seeds/jpg"
printf 'GIF89a\x10\0\x10\0' >"$seeds/gif"
printf 'BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0\x10\0\0\0\x10\0\0\0' >"$seeds/bmp"
printf 'RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x0f\0\0\x0f\0\0' >"$seeds/webp"
printf 'II*\0\x08\0\0\0\x02\0\0\x01\x03\0\x01\0\0\0\x10\0\0\0\x01\x01\x03\0\x01\0\0\0\x10\0\0\0' >"$seeds/tif"
printf 'P6\n# c\n16 16\n255\n' >"$seeds/ppm"
printf 'P7\nWIDTH 16\nHEIGHT 16\nENDHDR\n' >"$seeds/pam"
pseeds=$work/seeds-params; mkdir -p "$pseeds"
i=0
for v in 100 -5 2.5 nan 1e39 natural strong PNG webp true off "jpg, PNG" "" cuda:0 x; do
  printf '%b%s' "\\x$(printf %02x $((i * 7 % 256)))" "$v" >"$pseeds/s$i"
  i=$((i + 1))
done

# Upload seeds: small zips (good, with ../, with a link) and request fields.
useeds=$work/seeds-upload; mkdir -p "$useeds"
/usr/bin/python3 - "$useeds" <<'PY'
import io, os, stat, sys, zipfile
out = sys.argv[1]
def zipped(entries, link=None):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for n, d in entries:
            z.writestr(n, d)
        if link:
            i = zipfile.ZipInfo(link); i.create_system = 3; i.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(i, "/etc/passwd")
    return b"\0" + b.getvalue()
seeds = {"good": zipped([("a/b.png", b"\x89PNG"), ("c.jpg", b"x")]), "dotdot": zipped([("../x.png", b"1")]),
         "link": zipped([("a.png", b"1")], link="l.png"),
         "fields": b"\x01strength=50\nmode=strong\npreset=old-photo\nformat=webp\nquality=7\nresponse=json",
         "bad": b"\x01strength=nan\nupscale=9\nx=y"}
for name, data in seeds.items():
    open(os.path.join(out, name), "wb").write(data)
PY

# Decoder seeds: small real files of every format the library reads.
dseeds=$work/seeds-decode; mkdir -p "$dseeds"
/usr/bin/python3 - "$dseeds" <<'PY'
import io, os, sys
import numpy as np
from PIL import Image
out = sys.argv[1]
rng = np.random.default_rng(1)
rgb = rng.integers(0, 255, (12, 10, 3), dtype=np.uint8)
for fmt, mode, ext in [("PNG", "RGB", "png"), ("PNG", "LA", "la.png"), ("PNG", "I;16", "16.png"), ("PNG", "P", "p.png"),
                       ("JPEG", "RGB", "jpg"), ("JPEG", "L", "gray.jpg"), ("JPEG", "CMYK", "cmyk.jpg"),
                       ("WEBP", "RGBA", "webp"), ("TIFF", "RGB", "tif"), ("BMP", "RGB", "bmp"), ("PPM", "RGB", "ppm")]:
    b = io.BytesIO()
    image = Image.fromarray(rgb).convert(mode) if mode != "I;16" else Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)
    image.save(b, format=fmt)
    open(os.path.join(out, ext), "wb").write(b.getvalue())
PY
# Metadata seeds: what the exporter writes for GPEN and RetinaFace models.
mseeds=$work/seeds-meta; mkdir -p "$mseeds"
/usr/bin/python3 - "$mseeds" <<'PY'
import json, os, sys
io_ = {"layout": "NCHW", "color_order": "RGB", "dtype": "float32", "scale": 1 / 255, "mean": [0.5] * 3, "std": [0.5] * 3}
gpen = {"format": "gpen-torchscript", "format_version": 1, "exporter_version": "0.1.0", "architecture": "gpen",
        "size": 512, "channel_multiplier": 2, "narrow": 1.0, "input": io_, "output": io_,
        "source": {"random_weights": False}}
retina = {"format": "gpen-torchscript", "format_version": 1, "architecture": "retinaface", "backbone": "mobilenet0.25",
          "min_sizes": [[16, 32], [64, 128], [256, 512]], "steps": [8, 16, 32], "variance": [0.1, 0.2], "clip": False,
          "input": {"layout": "NCHW", "color_order": "BGR", "dtype": "float32", "scale": 1.0, "mean": [104.0, 117.0, 123.0]}}
for name, doc in (("gpen", gpen), ("retinaface", retina)):
    open(os.path.join(sys.argv[1], name), "w").write(json.dumps(doc, indent=1))
PY
# Command-line seeds (arguments separated by NUL bytes).
cseeds=$work/seeds-cli; mkdir -p "$cseeds"
printf -- '--model\0m.pt\0-o\0out\0a.jpg' >"$cseeds/basic"
printf -- '--preset\0old-photo\0--strength\0050\0--no-only-center-face\0--ext\0jpg,PNG\0-o\0o\0x' >"$cseeds/flags"
printf -- '--strenght\0100\0--json\0r.json\0-q\0--help' >"$cseeds/typo"
# Model file seeds: the small test models (TorchScript archives with and without metadata,
# not-an-archive), when the models have been generated beside the fuzz work folder.
mkdir -p "$work/seeds-model"
for m in no-meta bad-tuple bad-version identity-512 not-a-model; do
  [ -f "$work/../test-models/$m.pt" ] && cp "$work/../test-models/$m.pt" "$work/seeds-model/$m"
done
printf 'PK\x03\x04' >"$work/seeds-model/zip-magic"
# C ABI seeds: a few byte streams of choices.
mkdir -p "$work/seeds-capi"
head -c 256 /dev/zero >"$work/seeds-capi/zeros"
/usr/bin/python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 37 + 11) % 256 for i in range(512)))" >"$work/seeds-capi/mixed"

status=0
for target in fuzz_image_header:"$seeds" fuzz_decode_image:"$dseeds" fuzz_model_metadata:"$mseeds" \
              fuzz_cli_args:"$cseeds" fuzz_params:"$pseeds" fuzz_upload:"$useeds" $capi_target; do
  name=${target%%:*} corpus=${target#*:}
  mkdir -p "$work/corpus-$name"
  # Inputs that once crashed a target are replayed first.
  regressions=$src/tests/fuzz/regressions/$name
  if [ -d "$regressions" ] && ! ASAN_OPTIONS=detect_leaks=0 "$work/$name" -runs=0 -detect_leaks=0 "$regressions" >"$work/$name.regressions.log" 2>&1; then
    echo "FAILED: $name: a regression input crashes again; see $work/$name.regressions.log"
    tail -30 "$work/$name.regressions.log"; status=1
  fi
  # Targets over libgpen.so: LibTorch keeps allocations for the life of the process.
  leaks=1
  case $name in fuzz_capi | fuzz_model_file) leaks=0 ;; esac
  if ASAN_OPTIONS=detect_leaks=$leaks "$work/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -print_final_stats=1 -detect_leaks=$leaks \
       -artifact_prefix="$work/$name-" "$work/corpus-$name" "$corpus" >"$work/$name.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
    echo "fuzz: $name: ${runs:-?} inputs in ${seconds} s, no crash"
  else
    echo "FAILED: $name crashed; see $work/$name.log"; tail -30 "$work/$name.log"; status=1
  fi
done
exit $status
