#!/usr/bin/env bash
# The seed article's table, measured: Keras-style fit, the custom loop eagerly, and the custom loop as a graph
# function, on the reference workloads (mlp, cnn, seed), next to PyTorch eager on the same machine in the same run.
# Usage: bash bench/article.sh [workloads...]   (default: mlp cnn seed; cnn and seed time the first batches of each
# epoch and scale to a full epoch, as ../shared/bench/torch_baseline.py --steps does)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# Extra JVM options for Fluxion's runs (the JVM's defaults unless set; see the README's "JVM settings", e.g.
# FLUXION_JVM_OPTS=-XX:G1HeapRegionSize=64m for eager training with a large data set in memory)
FLUXION_JVM_OPTS=${FLUXION_JVM_OPTS-}
JAVA="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector $FLUXION_JVM_OPTS"
mvn -B -ntp -q install -DskipTests
CP="core/target/classes:data/target/classes:nn/target/classes:bench/target/classes"
SHARED=../shared/bench
workloads=${*:-mlp cnn seed}
results=$(mktemp)
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(date -u '+%F %H:%M UTC')"
echo "== Fluxion JVM options: ${FLUXION_JVM_OPTS:-(defaults)}"
for w in $workloads; do
  # timed epochs (the median is reported, on both sides): the mlp's epochs last under a second, so seven of them
  # cost little and keep one slow spell of the VM from setting its median
  case $w in mlp) steps=0; full=469; epochs=7 ;; cnn) steps=50; full=469; epochs=3 ;; seed) steps=20; full=391; epochs=3 ;; esac
  echo "== Fluxion $w"
  $JAVA -cp "$CP" dev.fluxion.bench.FitBench "$w" "$epochs" "$steps" | tee -a "$results"
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "== PyTorch $w (best setting: 2 threads, OPENBLAS_NUM_THREADS=1)"
    stepsArg=""; [ "$steps" -gt 0 ] && stepsArg="--steps $steps"
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$SHARED/torch_baseline.py" "$w" --threads 2 --modes eager --epochs "$epochs" $stepsArg \
      | tee /dev/stderr | sed -n "s/.*: \([0-9.]*\) s per \([0-9]*\) steps.*/RESULT $w pytorch-eager \1 \2 $full/p" >> "$results"
  fi
done
/usr/bin/python3 - "$results" <<'PY'
import sys, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    if not line.startswith("RESULT"): continue
    f = line.split()
    if f[2] == "pytorch-eager":  # seconds for N steps, scaled to the full epoch
        sec = float(f[3]) / int(f[4]) * int(f[5]); rows[f[1]][f[2]] = (sec, int(f[5]) * 128 / sec)
    else:
        rows[f[1]][f[2]] = (float(f[3]), float(f[4]))
names = [("fit", "Fluxion fit"), ("eager", "Fluxion custom loop, eager"), ("graph", "Fluxion custom loop, graph function"), ("pytorch-eager", "PyTorch eager")]
print("\n| workload | mode | s/epoch | samples/s | PyTorch eager / this |")
print("|---|---|---|---|---|")
for w, r in rows.items():
    ref = r.get("pytorch-eager", (None,))[0]
    for key, label in names:
        if key in r:
            s, sps = r[key]
            print(f"| {w} | {label} | {s:.3f} | {sps:,.0f} | {ref / s:.2f}x |" if ref else f"| {w} | {label} | {s:.3f} | {sps:,.0f} | |")
PY
rm -f "$results"
