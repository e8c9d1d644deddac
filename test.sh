#!/usr/bin/env bash
# Runs every test of sluice: unit tests, BPF packet tests (BPF_PROG_TEST_RUN on the real kernel),
# and the end-to-end lab (real XDP in network namespaces, real TCP). Debian 12, as root.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: run as root (BPF, XDP and network namespaces need it)" >&2
  exit 2
fi

scripts/install-deps.sh

echo "== build, unit and packet tests (mvn verify)"
mvn -B -ntp verify

echo "== the benchmark tools' arithmetic (bench/side-by-side, compare_report.py, jit_profile.py, lab/tor_maps.py)"
python3 -m unittest discover -s bench/side-by-side -v
python3 -m unittest discover -s bench -p 'test_compare_report.py' -v
python3 -m unittest discover -s bench -p 'test_jit_profile.py' -v
python3 -m unittest discover -s lab -p 'test_tor_maps.py' -v

echo "== end-to-end lab"
lab/e2e-test.sh

echo "== the lab's router as a ToR in XDP (the side-by-side benchmark's lab)"
lab/tor-test.sh

echo "== health checks steering traffic in the lab"
lab/health-test.sh

echo "== Consul discovery and registration in the lab (agent double)"
lab/consul-test.sh

echo "== the fleet's shared config in Consul KV, in the lab (agent double)"
lab/consul-kv-test.sh

echo "== DoS stage in the lab: floods from an attacker namespace while the client is served"
lab/dos-test.sh

echo "== graceful drain and second chance in the lab"
lab/drain-test.sh

echo "== the fleet in the lab: two LB hosts, BGP (BIRD) and ECMP"
lab/fleet-test.sh

echo "== package: contents and lintian, install into a clean Debian 12 root, the installed package in the lab"
packaging/tests/deb-contents-test.sh
packaging/tests/clean-root-test.sh
packaging/tests/installed-lab-test.sh
