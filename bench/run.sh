#!/usr/bin/env bash
# Runs Fluxion's benchmarks (kernels, steps, pipeline, fit vs custom loop) and, where available, the reference baselines in ../shared/bench on the same machine,
# one after the other, so ratios are taken under the same conditions. Usage: bash bench/run.sh [all]
#   (default: kernels, conv2d vs PyTorch, elementwise vs PyTorch, steps, pipeline, numpy sgemm, PyTorch mlp/tiny; "all"
#   adds PyTorch cnn and seed, EpochBench (Fluxion's cnn and seed graph steps next to PyTorch eager) and EagerAbBench)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector"
mvn -B -ntp -q install -DskipTests
CP="core/target/classes:data/target/classes:nn/target/classes:bench/target/classes"
SHARED=../shared/bench

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(date -u +%F)"
echo "== Fluxion kernels (sgemm)";            $JAVA -cp "$CP" dev.fluxion.bench.MatmulBench
echo "== Fluxion conv2d vs PyTorch";           $JAVA -cp "$CP" dev.fluxion.bench.ConvBench
echo "== Fluxion elementwise vs PyTorch";      $JAVA -cp "$CP" dev.fluxion.bench.ElementwiseBench
echo "== Fluxion training steps";              $JAVA -cp "$CP" dev.fluxion.bench.StepBench
echo "== Fluxion input pipeline";              $JAVA -cp "$CP" dev.fluxion.bench.PipelineBench
echo "== Fluxion fit vs custom loop (mlp)";    $JAVA -cp "$CP" dev.fluxion.bench.FitBench mlp
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  echo "== numpy/OpenBLAS sgemm";              /usr/bin/python3 "$SHARED/gemm_ref.py"
fi
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  workloads="tiny mlp"; [ "${1:-}" = all ] && workloads="tiny mlp cnn seed"
  for w in $workloads; do
    steps=""; [ "$w" = seed ] && steps="--steps 60"; [ "$w" = cnn ] && steps="--steps 100"
    echo "== PyTorch $w (best setting: 2 threads, OPENBLAS_NUM_THREADS=1)"
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$SHARED/torch_baseline.py" "$w" --threads 2 $steps
  done
fi
if [ "${1:-}" = all ]; then
  echo "== Fluxion cnn and seed epochs (graph step) vs PyTorch eager"; $JAVA -cp "$CP" dev.fluxion.bench.EpochBench all 60
  for w in cnn seed; do
    echo "== Fluxion eager $w, fused layers off vs on"; $JAVA -cp "$CP" dev.fluxion.bench.EagerAbBench "$w" fluxion.eager.fuseLayers=false 10
  done
fi
