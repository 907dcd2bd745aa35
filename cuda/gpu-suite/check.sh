#!/usr/bin/env bash
# The whole GPU check in one command, for a lent GPU machine (from the folder prepare.sh filled): the PyTorch eager
# reference on the same GPU, the "gpu" test suite with the op database, the epoch benchmark (eager and graph
# function), the graph functions with chains of small steps run as one block (-Dfluxion.cuda.sequences=true, off by
# default), the workloads with TF32 products and cuDNN turned off (im2col convolutions, to compare with the TF32
# run below, whose graph functions use cuDNN), a profile of the graph functions' steps, TF32, bfloat16 and float16 products,
# and MNIST (custom loop per batch and as one callEach over the epoch, and compile/fit/evaluate/predict). Each part has its own time limit and log (in $OUT, else ./logs), so one
# failure does not hide the rest.
# Usage: bash check.sh [steps]    (steps timed per benchmark round, default 100)
set -uo pipefail
cd "$(dirname "$0")"
LOGS="${OUT:-logs}"; mkdir -p "$LOGS"
[ -x jre/bin/java ] || tar xzf jre.tgz
JAVA=(./jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -cp 'lib/*')
STEPS="${1:-100}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
part() { # name, time limit (s), command... (a shell function limits each of its own commands)
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  if [ "$(type -t "$1")" = function ]; then "$@"; else timeout "$limit" "$@"; fi > "$LOGS/$name.log" 2>&1
  local rc=$?
  echo "== $name: exit $rc after $((SECONDS - t0)) s" | tee -a "$LOGS/summary.txt"
  grep -v '^WARNING' "$LOGS/$name.log" | tail -n 25
}
part torch 45 python3 torch_gpu_reference.py "$STEPS"
part suite 180 "${JAVA[@]}" -Dfluxion.opdb.device=cuda:0 dev.fluxion.cuda.GpuSuiteMain
FLUXION_TORCH_LOG="$LOGS/torch.log" part bench 180 "${JAVA[@]}" dev.fluxion.bench.GpuEpochBench mlp,cnn,seed "$STEPS"
part sequences 60 "${JAVA[@]}" -Dfluxion.cuda.sequences=true dev.fluxion.bench.GpuEpochBench mlp,cnn,seed "$STEPS" graph
part im2col 60 "${JAVA[@]}" -Dfluxion.cuda.cudnn=false -Dfluxion.cuda.matmulPrecision=tf32 dev.fluxion.bench.GpuEpochBench cnn,seed "$STEPS"
part profile 60 "${JAVA[@]}" -Dfluxion.graph.profile=true dev.fluxion.bench.GpuEpochBench cnn,seed 20 graph
precisions() { # TF32 products eagerly and as graph functions (PyTorch's convolutions use TF32 by default), then the
  # graph functions with bfloat16 and float16 products, in one log
  for p in tf32 bfloat16 float16; do
    echo "-- matmul precision $p"
    timeout 60 "${JAVA[@]}" -Dfluxion.cuda.matmulPrecision=$p dev.fluxion.bench.GpuEpochBench mlp,cnn,seed "$STEPS" $([ $p = tf32 ] || echo graph) || return
  done
}
part precision 0 precisions
part ops 30 "${JAVA[@]}" dev.fluxion.bench.GpuEpochBench ops
mnist() { # the custom loop with float32, then bfloat16 products; then compile/fit/evaluate/predict
  for p in float32 bfloat16; do
    echo "-- matmul precision $p"
    FLUXION_DATA_DIR="$PWD/data" timeout 45 "${JAVA[@]}" -Dfluxion.cuda.matmulPrecision=$p dev.fluxion.bench.GpuEpochBench mnist || return
  done
  echo "-- callEach over the stacked epoch"
  FLUXION_DATA_DIR="$PWD/data" timeout 45 "${JAVA[@]}" dev.fluxion.bench.GpuEpochBench mnist-each || return
  echo "-- fit"
  FLUXION_DATA_DIR="$PWD/data" timeout 90 "${JAVA[@]}" dev.fluxion.bench.GpuEpochBench fit || return
  echo "-- fit, 8 batches per call of the train step"
  FLUXION_DATA_DIR="$PWD/data" timeout 90 "${JAVA[@]}" dev.fluxion.bench.GpuEpochBench fit-grouped
}
part mnist 0 mnist
echo "kernels in the disk cache: $(find "$HOME/.fluxion/cache/kernels" -name '*.ptx' 2>/dev/null | wc -l)" | tee -a "$LOGS/summary.txt"
cat "$LOGS/summary.txt"
