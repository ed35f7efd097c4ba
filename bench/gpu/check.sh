#!/usr/bin/env bash
# The GPU check: every GPU figure in one command on a lent GPU machine (at most ~8 minutes).
# docs/gpu.md says how to run it with the device tool (the carry list and the command).
#
#   bench/gpu/check.sh                 # on the GPU machine: part 1 then part 2, results under $OUT
#   bench/gpu/check.sh --device cpu    # part 1 only, small model, on a CPU (what the tests run)
#
# Part 1 (no build): bench/gpu/check_torch.py exports a random GPEN-512-shaped model with the
#   repo's exporter under the machine's PyTorch and measures it there (parity, FP16/BF16 error,
#   faces/s per batch, memory, CUDA graphs, busy fraction).
# Part 2 (the C++ library): unpacks .gpu-bundle/gpen-gpu-deps.tar.xz (bench/gpu/make-bundle.sh),
#   builds gpen against PyTorch's bundled LibTorch, runs `ctest -L gpu`, bench/gpu_benchmark.py
#   and the batch engine on the device. Part 2 runs even if part 1 failed, and vice versa.
# Writes $OUT/summary.md (every figure), the JSON and logs beside it. Exit status: 0 when every
# part that ran passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

device=cuda
while (($#)); do
  case $1 in
    --device) device=$2; shift 2 ;;
    *) echo "usage: bench/gpu/check.sh [--device cuda|cpu]" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$ROOT/gpu-check-out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
[ "$device" = cpu ] && [ -x /usr/bin/python3 ] && PY=${PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d /tmp/gpen-gpu-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
summary=$OUT/summary.md
: >"$summary"
status=0
note() { echo "$*" | tee -a "$summary"; }
elapsed() { echo "$((SECONDS))s"; }
# Every step gets at most its own cap and never more than what is left of the whole budget, so
# the script ends (with everything so far in $OUT) before the device tool's limit.
DEADLINE=${GPU_CHECK_BUDGET_S:-500}
budget() { local left=$((DEADLINE - SECONDS)); ((left < 5)) && left=5; echo $(($1 < left ? $1 : left)); }

note "# gpen GPU check, $(date -u +%Y-%m-%dT%H:%MZ), device $device"
{
  echo "## environment"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  $PY -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda)'
  echo "cpus $(nproc)"; uname -r
  (g++ --version | head -1; cmake --version | head -1; ninja --version; nvcc --version | tail -1) 2>&1
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

# ---- Part 1: the exported graph under the machine's PyTorch ----
part1_args=(--device "$device" --out "$OUT" --keep-model "$WORK/random-512.pt")
[ "$device" = cpu ] && part1_args=(--device cpu --size 64 --quick --out "$OUT" --keep-model "$WORK/random-64.pt")
PYTHONUNBUFFERED=1 timeout "$(budget 170)" "$PY" bench/gpu/check_torch.py "${part1_args[@]}" >"$OUT/part1.log" 2>&1
rc=$?
sed -n '/^## Part 1/,$p' "$OUT/part1.log" >>"$summary"
grep -v '^\[check_torch\]' "$OUT/part1.log" | sed -n '/^## Part 1/,$p'
if ((rc != 0)); then
  note "part 1: FAILED (exit $rc; see part1.log)"; tail -20 "$OUT/part1.log"; status=1
else
  note "part 1: passed ($(elapsed))"
fi

[ "$device" = cpu ] && exit $status

# ---- Part 2: the C++ library built here against PyTorch's LibTorch ----
bundle=$ROOT/.gpu-bundle/gpen-gpu-deps.tar.xz
if [ ! -f "$bundle" ]; then
  note "part 2: SKIPPED: no $bundle (run bench/gpu/make-bundle.sh on the Debian machine and carry .gpu-bundle)"
  exit $status
fi
deps=$WORK/deps
mkdir -p "$deps" && tar -xJf "$bundle" -C "$deps" && deps=$deps/gpen-gpu-deps
# Libraries this machine already has stay its own (same soname: compatible); the rest come
# from the bundle (a real library beats a stub). OpenCV and dlib always come from the bundle.
for lib in "$deps"/lib/*.so*; do
  name=$(basename "$lib")
  case $name in libopencv_*|libdlib*) continue ;; esac
  ldconfig -p | grep -q " $name " && rm -f "$lib"
done
export LD_LIBRARY_PATH=$deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=/usr/local/cuda/bin:$PATH
cxx_std=17  # LibTorch >= 2.12 needs C++20
$PY -c 'import sys, torch; v = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2]); sys.exit(v < (2, 12))' && cxx_std=20
torch_prefix=$($PY -c 'import torch; print(torch.utils.cmake_prefix_path)')
build=$WORK/build
{
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix;$deps" -DOpenCV_DIR="$deps/lib/cmake/opencv4" \
    -Ddlib_DIR="$deps/lib/cmake/dlib" -DEigen3_DIR="$deps/share/eigen3/cmake" \
    -DDOCTEST_INCLUDE_DIR="$deps/include" -DPython3_EXECUTABLE="$(command -v "$PY")" \
    -DGPEN_BUILD_PYTHON=OFF -DGPEN_BUILD_EXAMPLES=OFF -DCMAKE_CXX_STANDARD=$cxx_std -DCUDAToolkit_ROOT=/usr/local/cuda \
    -DTORCH_CUDA_ARCH_LIST=9.0 -DCMAKE_CUDA_ARCHITECTURES=90 -DGPEN_SHARED_DIR="$WORK/no-shared" &&
  timeout "$(budget 200)" cmake --build "$build" --target gpen_gpu_tests gpen-bench gpen-bench-batch -- -k 0
} >"$OUT/part2-build.log" 2>&1
rc=$?
grep -E "LibTorch with CUDA|CUDA" "$OUT/part2-build.log" | head -5
if ((rc != 0)); then
  note "part 2: BUILD FAILED (exit $rc, $(elapsed)); the first errors:"
  grep -E "error|Error" "$OUT/part2-build.log" | head -30 | tee -a "$summary"
  exit 1
fi
note "part 2: built ($(elapsed))"

(cd "$build" && timeout "$(budget 100)" ctest -L gpu --output-on-failure -V) >"$OUT/part2-ctest.log" 2>&1
rc=$?
note ""
note "## Part 2: ctest -L gpu (exit $rc)"
grep -E "MESSAGE|SKIPPED|max \||fp16|mean|Test +#|tests passed|test cases|assertions|FAILED|ERROR" \
  "$OUT/part2-ctest.log" | head -60 | tee -a "$summary"
((rc != 0)) && status=1

note ""
note "## Part 2: bench/gpu_benchmark.py (C++ Restorer vs eager reference, same GPU) ($(elapsed))"
PYTHONUNBUFFERED=1 timeout "$(budget 120)" "$PY" bench/gpu_benchmark.py --bench "$build/bin/gpen-bench" --iters 10 \
  >"$OUT/part2-bench.log" 2>&1 || { status=1; note "gpu_benchmark.py failed (exit $?)"; }
tee -a "$summary" <"$OUT/part2-bench.log" | tail -12

note ""
note "## Part 2: batch engine on the device (FP16, batch 32, 4 fixed faces per photo) ($(elapsed))"
$PY - "$WORK/photos" <<'EOF'
import os, sys, numpy as np, cv2
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(0)
base = cv2.GaussianBlur(rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8), (0, 0), 6)
for i in range(240):
    cv2.imwrite(os.path.join(d, f"p{i:03d}.jpg"), np.roll(base, i * 7, axis=1), [cv2.IMWRITE_JPEG_QUALITY, 90])
EOF
nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 100 >"$OUT/part2-util.txt" 2>/dev/null &
smi=$!
OMP_WAIT_POLICY=PASSIVE timeout "$(budget 60)" "$build/bin/gpen-bench-batch" --model "$WORK/random-512.pt" \
  --inputs "$WORK/photos" --out "$WORK/batch-out" --device cuda --precision fp16 --batch 32 \
  --fixed-faces 4 --serial 0 --format jpg --readers 4 --writers 4 --threads 4 >"$OUT/part2-batch.log" 2>&1 ||
  { status=1; note "gpen-bench-batch failed"; }
kill $smi 2>/dev/null
tail -3 "$OUT/part2-batch.log" | tee -a "$summary"
util=$(awk '{a++; t += $1} $1 > 0 {n++; s += $1} END {if (n) printf "%.0f%% mean of all %d samples (load included), %.0f%% of the %d non-zero ones", t / a, a, s / n, n}' "$OUT/part2-util.txt")
note "GPU utilisation (nvidia-smi, 100 ms samples) during the batch run: ${util:-n/a}"
note ""
note "done in $(elapsed), status $status"
exit $status
