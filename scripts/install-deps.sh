#!/usr/bin/env bash
# Installs what building and testing sluice needs on Debian 12, and only what is missing.
# Run as root. Safe to run again.
set -euo pipefail

# command-to-check:debian-package
needs=(
  "java:openjdk-17-jdk-headless"
  "mvn:maven"
  "make:make"
  "clang:clang"
  "llvm-strip:llvm"
  "bpftool:bpftool"
  "ip:iproute2"
  "ethtool:ethtool"
  "nsenter:util-linux"
  "python3:python3"
  "objdump:binutils"
  "curl:curl"
  "ping:iputils-ping"
  "birdc:bird2"
  "lintian:lintian"
  "debootstrap:debootstrap"
)
# header-to-check:debian-package
headers=(
  "/usr/include/bpf/bpf_helpers.h:libbpf-dev"
  "/usr/include/linux/bpf.h:linux-libc-dev"
)

missing=()
for pair in "${needs[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
for pair in "${headers[@]}"; do
  [ -e "${pair%%:*}" ] || missing+=("${pair##*:}")
done
# The daemon loads libbpf.so.1 at run time.
ldconfig -p 2>/dev/null | grep -q 'libbpf\.so\.1' || missing+=(libbpf1)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: everything needed is installed"
fi

# Pinned maps and links live on bpffs.
if ! grep -q ' /sys/fs/bpf bpf ' /proc/self/mounts; then
  mkdir -p /sys/fs/bpf
  mount -t bpf bpf /sys/fs/bpf
fi
