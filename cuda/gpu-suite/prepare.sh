#!/usr/bin/env bash
# Packs the CUDA module's tests and the GPU benchmark for a GPU machine that has no Java or Maven: jars, a trimmed
# Java 25 runtime and MNIST (for the convergence check) in cuda/target/gpu-suite (git-ignored, about 40 MB).
# Run from anywhere on a development machine with ../shared/data/mnist beside the checkout (or FLUXION_MNIST set).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
MNIST="${FLUXION_MNIST:-$ROOT/../shared/data/mnist}"
cd "$ROOT"
mvn -o -q -B install -DskipTests -pl core,data,nn,cuda,bench
mvn -o -q -B -pl cuda test-compile dependency:build-classpath -Dmdep.outputFile="$ROOT/cuda/target/gpu-suite-classpath.txt" -Dmdep.includeScope=test
mvn -o -q -B -pl bench dependency:build-classpath -Dmdep.outputFile="$ROOT/cuda/target/gpu-bench-classpath.txt" -Dmdep.includeScope=runtime
OUT=cuda/target/gpu-suite
rm -rf "$OUT" && mkdir -p "$OUT/lib" "$OUT/data"
for jar in $(tr ':' ' ' < cuda/target/gpu-suite-classpath.txt) $(tr ':' ' ' < cuda/target/gpu-bench-classpath.txt); do
  cp "$jar" "$OUT/lib/"
done
rm -f "$OUT"/lib/fluxion-cuda-[0-9]*.jar # the bench classpath repeats the module packed below
jar cf "$OUT/lib/fluxion-cuda.jar" -C cuda/target/classes .
jar cf "$OUT/lib/fluxion-cuda-tests.jar" -C cuda/target/test-classes .
mvn -o -q -B -pl core test-compile
jar cf "$OUT/lib/fluxion-core-tests.jar" -C core/target/test-classes . # the op database, run on the GPU by the suite
jar cf "$OUT/lib/fluxion-bench.jar" -C bench/target/classes .
jlink --add-modules java.base,java.logging,jdk.incubator.vector,jdk.jfr,jdk.unsupported,jdk.zipfs --strip-debug --no-header-files \
      --no-man-pages --compress=zip-9 --output "$OUT/jre"
tar czf "$OUT/jre.tgz" -C "$OUT" jre && rm -rf "$OUT/jre"
cp cuda/gpu-suite/run.sh cuda/gpu-suite/check.sh bench/gpu/torch_gpu_reference.py "$OUT/"
cp -r "$MNIST" "$OUT/data/mnist"
du -sh "$OUT"
