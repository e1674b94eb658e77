#!/bin/sh
# The native peers of docs/performance.md, one thread each: PyTorch attention (the anchors'
# attention_torch.py at D = 64, 16, 4), NumPy / SciPy / scikit-learn linear algebra (linalg_native.py)
# the 4-layer forward in PyTorch (scripts/bench-native/forward_torch.py) and one training epoch of the
# same network with batch norm, cross-entropy and AdamW (scripts/bench-native/train_epoch_torch.py).
#   sh scripts/bench-native.sh [wall|cpu]   (needs /usr/bin/python3 with torch, sklearn, scipy, numpy:
#                                            apt-get install -y python3-torch python3-sklearn python3-scipy python3-numpy)
# 'cpu' times with the process's CPU time instead of the wall clock (the scripts' time.perf_counter is
# replaced by time.process_time), like `npm run bench -- --clock cpu`: on a shared, busy machine the
# time spent waiting for a core then does not count. Default 'wall'.
# ANCHORS (default: the shared folder beside the checkout, shared/anchors) and GRAPH (default shared/data/tolokers.npz) override the
# locations. Prints a skip message and exits 0 when the packages are missing. Not part of npm test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
SHARED="$(cd "$(dirname "$0")/../.." && pwd)/shared"
ANCHORS=${ANCHORS:-$SHARED/anchors}
GRAPH=${GRAPH:-$SHARED/data/tolokers.npz}
PY=${PYTHON:-/usr/bin/python3}
CLOCK=${1:-wall}
case "$CLOCK" in wall|cpu) ;; *) echo "bench-native: the clock is wall or cpu, got $CLOCK" >&2; exit 2 ;; esac
if ! "$PY" -c 'import torch, sklearn, scipy, numpy' 2>/dev/null; then
  echo "bench-native: skipped — $PY cannot import torch, sklearn, scipy and numpy"
  echo "  (apt-get update && apt-get install -y python3-torch python3-sklearn python3-scipy python3-numpy)"
  exit 0
fi
for f in "$ANCHORS/attention_torch.py" "$ANCHORS/linalg_native.py" "$GRAPH"; do
  if [ ! -f "$f" ]; then echo "bench-native: skipped — $f not found (set ANCHORS / GRAPH)"; exit 0; fi
done
# OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons (family 6, model 207) and falls back to its
# SSE3 'Prescott' kernels, 4-5x slower than its AVX-512 ones (measured: 512^3 f32 15.8 ms vs 2.7 ms);
# unless the caller chose a core type, pick the one the CPU flags allow, so the native peers are fair.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  core=$("$PY" -c 'import ctypes, numpy
try:
    lib = ctypes.CDLL("libopenblas.so.0"); lib.openblas_get_corename.restype = ctypes.c_char_p; print(lib.openblas_get_corename().decode())
except OSError:
    print("")' 2>/dev/null)
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  case "$core" in
    Prescott|Core2|Penryn|Dunnington|Nehalem|Atom|Katmai|Coppermine|Northwood)
      if echo "$flags" | grep -qw avx512_bf16; then export OPENBLAS_CORETYPE=Cooperlake
      elif echo "$flags" | grep -qw avx512f; then export OPENBLAS_CORETYPE=SkylakeX
      elif echo "$flags" | grep -qw avx2; then export OPENBLAS_CORETYPE=Haswell; fi
      [ -n "${OPENBLAS_CORETYPE:-}" ] && echo "# OpenBLAS detected core '$core' on a CPU with wider SIMD: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE" ;;
  esac
fi
echo "# bench-native ($CLOCK clock): $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc --all) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export PYTHONWARNINGS=ignore
# run SCRIPT ARGS…: the script as its own __main__, its perf_counter swapped for process_time when CLOCK=cpu
run() {
  script=$1; shift
  "$PY" -c 'import runpy, sys, time
if sys.argv[1] == "cpu": time.perf_counter = time.process_time
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")' "$CLOCK" "$script" "$@"
}
echo "# $("$PY" -c 'import torch, sklearn, scipy, numpy; print(f"torch {torch.__version__}, scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {numpy.__version__}")')"
for d in 64 16 4; do run "$ANCHORS/attention_torch.py" "$GRAPH" "$d" 1; done
run "$ANCHORS/linalg_native.py"
run "$here/bench-native/forward_torch.py" "$GRAPH" 1
run "$here/bench-native/train_epoch_torch.py" "$GRAPH" 1 3
