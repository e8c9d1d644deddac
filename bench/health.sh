#!/usr/bin/env bash
# Health-check engine load benchmark: 10,000 TCP checks per second against loopback listeners.
#   bench/health.sh [targets] [interval_ms] [seconds] [port] [transport] [io_threads]   (defaults 10000 1000 30 18081 IO_URING 1)
# Traffic stays on 127.77.0.0/16 (loopback). The listeners run in a child process started by the
# benchmark and stopped by it (by PID) at the end; the run is bounded by [seconds] (max 120).
set -euo pipefail
cd "$(dirname "$0")/.."

# 10,000 listeners plus the checks' own sockets: raise the descriptor limit if we may.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Build only what the benchmark needs (the health module), so it does not depend on the rest.
mvn -q -o -pl health -am compile
mvn -q -o -pl health dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/health/target/bench-classpath.txt" >/dev/null
classes=bench/target/health-bench-classes
mkdir -p "$classes"
cp="health/target/classes:$(cat health/target/bench-classpath.txt)"
javac --release 17 -d "$classes" -cp "$cp" bench/src/main/java/io/sluice/bench/health/*.java

exec java -Xms256m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$classes:$cp" io.sluice.bench.health.HealthCheckLoadBench "$@"
