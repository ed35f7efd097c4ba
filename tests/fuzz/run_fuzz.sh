#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs each for a short time from a seed corpus. A crash, sanitizer report or trap fails it.
# usage: run_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS]
set -uo pipefail
src=$1 work=$2 seconds=${3:-20}
cxx=$(command -v clang++-14 || command -v clang++ || true)
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

status=0
for target in fuzz_image_header:"$seeds" fuzz_params:"$pseeds" fuzz_upload:"$useeds"; do
  name=${target%%:*} corpus=${target#*:}
  mkdir -p "$work/corpus-$name"
  if "$work/$name" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 \
       "$work/corpus-$name" "$corpus" >"$work/$name.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
    echo "fuzz: $name: ${runs:-?} inputs in ${seconds} s, no crash"
  else
    echo "FAILED: $name crashed; see $work/$name.log"; tail -30 "$work/$name.log"; status=1
  fi
done
exit $status
