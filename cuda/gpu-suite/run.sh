#!/usr/bin/env bash
# Runs the CUDA "gpu" test suite from the folder prepare.sh filled (cuda/target/gpu-suite), on a machine with an
# NVIDIA driver. Extra arguments are JUnit tags (default: gpu). Exit code 0: all passed; 1: failures; 2: nothing ran.
set -euo pipefail
cd "$(dirname "$0")"
[ -x jre/bin/java ] || tar xzf jre.tgz
nvidia-smi -L 2>/dev/null || echo "nvidia-smi not available"
exec ./jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g \
     -Dfluxion.opdb.device=cuda:0 -cp 'lib/*' dev.fluxion.cuda.GpuSuiteMain "$@"
