#!/usr/bin/env bash
# Builds the .deb from the Maven output and checks its control fields, its file list,
# the maintainer scripts' syntax and lintian (no errors). Needs `mvn package` first.
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
# shellcheck source=packaging/tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINTIAN_TIMEOUT_S=120

DEB=$(build_deb) || { fail build "packaging/build-deb.sh failed"; summary; exit 1; }
pass build "$(basename "$DEB")"

field() { dpkg-deb -f "$DEB" "$1"; }
POM_VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$REPO_DIR/pom.xml" | head -n 1)

check name "file name is sluice_<version>_amd64.deb" \
	test "$(basename "$DEB")" = "sluice_$(field Version)_amd64.deb"
check version "Version $(field Version) comes from the POM ($POM_VERSION)" \
	test "$(field Version)" = "$POM_VERSION-1"
check package "Package: sluice" test "$(field Package)" = sluice
check architecture "Architecture: amd64" test "$(field Architecture)" = amd64
depends=$(field Depends)
check depends-java "Depends on a Java 17 headless runtime: $depends" \
	grep -qE 'default-jre-headless \(>= 2:1\.17\) \| java17-runtime-headless' <<<"$depends"
check depends-libbpf "Depends on libbpf1" grep -qw libbpf1 <<<"$depends"
check depends-iproute2 "Depends on iproute2" grep -qw iproute2 <<<"$depends"
check no-build-tools "no build tools in Depends" \
	bash -c '! grep -qEw "clang|llvm|maven|default-jdk|libbpf-dev|bpftool|gcc" <<<"$1"' _ "$depends"
check installed-size "Installed-Size is set ($(field Installed-Size) KiB)" \
	test "$(field Installed-Size)" -gt 1000

files=$(dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's:^\./:/:')
for path in /usr/lib/sluice/sluice-lb.jar /usr/lib/sluice/jvm.options /usr/lib/sluice/bpf/balancer.o /usr/lib/sluice/bpf/decap.o \
	/usr/lib/sluice/bpf/xdp_pass.o /usr/bin/sluice /usr/sbin/sluiced /etc/sluice/sluice.yaml \
	/lib/systemd/system/sluiced.service /usr/share/man/man8/sluiced.8.gz /usr/share/man/man1/sluice.1.gz \
	/usr/share/doc/sluice/copyright /usr/share/doc/sluice/changelog.Debian.gz \
	/usr/share/bash-completion/completions/sluice; do
	check "contains:$path" "in the package" grep -qxF "$path" <<<"$files"
done
check no-bench-objects "benchmark wrappers are not shipped" bash -c '! grep -q "bpf/bench_" <<<"$1"' _ "$files"
check no-lab-objects "the lab's router program is not shipped" bash -c '! grep -q "bpf/lab_" <<<"$1"' _ "$files"

# Every jar the daemon's manifest names is shipped, and nothing else under lib/.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -x "$DEB" "$WORK/root"
dpkg-deb -e "$DEB" "$WORK/control"
expected=$(python3 - "$WORK/root/usr/lib/sluice/sluice-lb.jar" <<'PY' | sort
import sys, zipfile
manifest = zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode()
for line in manifest.replace("\r\n", "\n").replace("\n ", "").splitlines():
    if line.startswith("Class-Path:"):
        print("\n".join(line.split(":", 1)[1].split()))
PY
)
shipped=$(cd "$WORK/root/usr/lib/sluice" && ls lib/*.jar | sort)
check class-path "the $(wc -l <<<"$expected") jars of the manifest Class-Path are exactly lib/*.jar" \
	test "$expected" = "$shipped"
check launcher-mode "launchers are executable" test -x "$WORK/root/usr/bin/sluice" -a -x "$WORK/root/usr/sbin/sluiced"
check conffile "/etc/sluice/sluice.yaml is a conffile" grep -qxF /etc/sluice/sluice.yaml "$WORK/control/conffiles"
check config-is-example "shipped config is packaging/sluice.yaml" cmp -s "$WORK/root/etc/sluice/sluice.yaml" \
	"$PACKAGING_DIR/sluice.yaml"
check md5sums "md5sums match the payload" bash -c 'cd "$1" && md5sum --quiet -c "$2"' _ "$WORK/root" "$WORK/control/md5sums"
for script in postinst prerm postrm; do
	check "syntax:$script" "sh -n $script" sh -n "$WORK/control/$script"
done
check copyright-dep5 "copyright is machine-readable (DEP-5) and names the BPF dual license" \
	grep -q 'GPL-2.0 or BSD-2-Clause' "$WORK/root/usr/share/doc/sluice/copyright"
check completion "the completion script completes sluice's commands" \
	grep -q "undrain" "$WORK/root/usr/share/bash-completion/completions/sluice"
check unit-config-writable "the unit lets the daemon write API changes into /etc/sluice" \
	grep -qE '^ReadWritePaths=.*/etc/sluice' "$WORK/root/lib/systemd/system/sluiced.service"
check unit-exec "unit starts the installed launcher" \
	grep -qx 'ExecStart=/usr/sbin/sluiced --config /etc/sluice/sluice.yaml' "$WORK/root/lib/systemd/system/sluiced.service"

# The extracted launchers run from their relocated home.
version_out=$(SLUICE_HOME="$WORK/root/usr/lib/sluice" "$WORK/root/usr/bin/sluice" version 2>&1)
check cli-version "extracted sluice version: $(head -n 1 <<<"$version_out")" \
	grep -qx "sluice $POM_VERSION" <<<"$version_out"
check cli-config-check "extracted sluice config check on the shipped config" \
	env SLUICE_HOME="$WORK/root/usr/lib/sluice" "$WORK/root/usr/bin/sluice" config check "$WORK/root/etc/sluice/sluice.yaml"

if command -v lintian >/dev/null; then
	lintian_out=$(timeout "$LINTIAN_TIMEOUT_S" lintian "$DEB" 2>&1)
	lintian_rc=$?
	errors=$(grep -c '^E:' <<<"$lintian_out")
	warnings=$(grep '^W:' <<<"$lintian_out" | cut -d' ' -f3 | sort -u | tr '\n' ' ')
	if ((lintian_rc == 0 && errors == 0)); then
		pass lintian "no errors (warnings: ${warnings:-none})"
	else
		fail lintian "rc=$lintian_rc, $errors errors: $(grep '^E:' <<<"$lintian_out" | head -n 5 | tr '\n' ' ')"
	fi
else
	fail lintian "lintian is not installed (apt-get install lintian)"
fi

summary
