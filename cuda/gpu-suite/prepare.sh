#!/usr/bin/env bash
# Packs the CUDA module's tests for a GPU machine that has no Java or Maven: jars + a trimmed Java 25 runtime in
# cuda/target/gpu-suite (git-ignored, about 25 MB). Run from anywhere on a development machine.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
cd "$ROOT"
mvn -o -q -B install -DskipTests -pl core
mvn -o -q -B -pl cuda test-compile dependency:build-classpath -Dmdep.outputFile="$ROOT/cuda/target/gpu-suite-classpath.txt" -Dmdep.includeScope=test
OUT=cuda/target/gpu-suite
rm -rf "$OUT" && mkdir -p "$OUT/lib"
for jar in $(tr ':' ' ' < cuda/target/gpu-suite-classpath.txt); do cp "$jar" "$OUT/lib/"; done
jar cf "$OUT/lib/fluxion-cuda.jar" -C cuda/target/classes .
jar cf "$OUT/lib/fluxion-cuda-tests.jar" -C cuda/target/test-classes .
jlink --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported,jdk.zipfs --strip-debug --no-header-files \
      --no-man-pages --compress=zip-9 --output "$OUT/jre"
tar czf "$OUT/jre.tgz" -C "$OUT" jre && rm -rf "$OUT/jre"
cp cuda/gpu-suite/run.sh "$OUT/"
du -sh "$OUT"
