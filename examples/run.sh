#!/usr/bin/env bash
# Runs one example of the walk-through: examples/run.sh <example> [options]; examples/run.sh --help lists them.
# Builds the project and records the runtime classpath in target/ on first use (or after `mvn clean`); after changing
# the code, rebuild with `mvn -q install -DskipTests` from the repository root.
set -euo pipefail
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath_file="$here/target/runtime-classpath.txt"

if [[ ! -f "$classpath_file" || ! -d "$here/target/classes/dev/fluxion/examples" ]]; then
    echo "run.sh: building Fluxion and the examples once (mvn install -DskipTests)..." >&2
    (cd "$here/.." && mvn -B -ntp -q install -DskipTests -pl examples -am >&2)
    (cd "$here" && mvn -B -ntp -q dependency:build-classpath -DincludeScope=runtime \
        -Dmdep.outputFile="$classpath_file" >&2)
fi

exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true \
    -cp "$here/target/classes:$(cat "$classpath_file")" dev.fluxion.examples.Launcher "$@"
