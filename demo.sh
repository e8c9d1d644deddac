#!/usr/bin/env bash
# The sluice demo: builds everything, brings up the network-namespace lab, runs the real XDP
# balancer with real TCP traffic, shows where connections went, and tears the lab down.
# Debian 12, as root.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run as root (BPF, XDP and network namespaces need it)" >&2
  exit 2
fi

scripts/install-deps.sh
echo "== building (mvn package, tests skipped: ./test.sh runs them)"
mvn -B -ntp -q package -DskipTests
lab/demo-run.sh
