#!/usr/bin/env bash
# Installs the .deb into a clean Debian 12 root, as a new edge host would get it:
# debootstrap (minbase) into a directory this test owns, `apt-get install ./sluice_*.deb`
# (apt resolves the Java runtime, libbpf1, iproute2), run the installed commands, upgrade
# to a rebuilt higher version (the admin's config edit kept), remove, purge, and list
# what is left. Needs root, `mvn package` done, and apt's configured Debian mirror.
#
# The bootstrap tarball and apt's downloaded .debs are cached under CACHE_DIR so re-runs
# take about a minute. /proc is mounted in the root (the JVM and ca-certificates-java need
# it) and unmounted by the exit trap; /sys is not, so nothing in the root can touch the
# host's bpffs. Prints PASS/FAIL lines and "N passed, M failed".
set -uo pipefail
# shellcheck source=packaging/tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=bookworm
CACHE_DIR=${CACHE_DIR:-/var/cache/sluice-test}
TARBALL=$CACHE_DIR/$SUITE-minbase.tar.gz
APT_CACHE=$CACHE_DIR/apt-archives
STEP_TIMEOUT_S=300
UPGRADE_VERSION=${UPGRADE_VERSION:-0.1.0+test1}
ADMIN_MARK="# edited by the admin: must survive upgrades"

require_root
for tool in debootstrap dpkg-deb; do
	command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y $tool)" >&2; exit 2; }
done

# The Debian mirror apt already uses on this machine (deb822 .sources or one-line lists).
debian_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		awk -v suite="$SUITE" '
			/^$/ { if (uri && suites ~ "(^| )" suite "( |$)") { print uri; exit } uri = ""; suites = "" }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { $1 = ""; suites = $0 " " }
			END { if (uri && suites ~ "(^| )" suite "( |$)") print uri }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v suite="$SUITE" '$1 == "deb" && $0 !~ /\[/ && $3 == suite { print $2 }'
}
MIRROR=$(debian_mirror | head -n 1)
[[ -n $MIRROR ]] || { echo "no $SUITE mirror in apt's sources" >&2; exit 2; }

ROOT=$(mktemp -d /var/tmp/sluice-root-XXXXXX)
DEB_DIR=$(mktemp -d)
cleanup() {
	local mnt
	for mnt in "$ROOT/var/cache/apt/archives" "$ROOT/proc"; do
		mountpoint -q "$mnt" && umount -l "$mnt"
	done
	# Never rm through a mount: only when nothing is mounted below the root.
	if ! grep -q " $ROOT/" /proc/mounts; then rm -rf "$ROOT"; fi
	rm -rf "$DEB_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { timeout "$STEP_TIMEOUT_S" chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

mkdir -p "$CACHE_DIR" "$APT_CACHE/partial"
if [[ ! -f $TARBALL ]]; then
	echo "bootstrapping the $SUITE tarball once (cached in $TARBALL)"
	stage=$(mktemp -d /var/tmp/sluice-debootstrap-XXXXXX)
	timeout "$STEP_TIMEOUT_S" debootstrap --variant=minbase --make-tarball="$TARBALL.tmp" "$SUITE" "$stage" "$MIRROR" \
		>"$CACHE_DIR/debootstrap.log" 2>&1 && mv "$TARBALL.tmp" "$TARBALL"
	rm -rf "$stage"
fi
if [[ -f $TARBALL ]] && timeout "$STEP_TIMEOUT_S" debootstrap --variant=minbase --unpack-tarball="$TARBALL" \
	"$SUITE" "$ROOT" "$MIRROR" >"$CACHE_DIR/debootstrap-unpack.log" 2>&1; then
	pass debootstrap "clean $SUITE minbase root in $ROOT (mirror from apt's sources)"
else
	fail debootstrap "see $CACHE_DIR/debootstrap*.log"
	summary
	exit 1
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
mount --bind "$APT_CACHE" "$ROOT/var/cache/apt/archives"

DEB1=$(build_deb "" "$DEB_DIR") && DEB2=$(build_deb "$UPGRADE_VERSION" "$DEB_DIR") ||
	{ fail build "packaging/build-deb.sh failed (mvn package first?)"; summary; exit 1; }
cp "$DEB1" "$DEB2" "$ROOT/tmp/"
V1=$(dpkg-deb -f "$DEB1" Version)
V2=$(dpkg-deb -f "$DEB2" Version)

installed_version() { in_root dpkg-query -W -f '${Status} ${Version}' sluice 2>/dev/null; }

# --- install ---------------------------------------------------------------------------
check no-java-before "the clean root has no Java yet" bash -c '! chroot "$1" sh -c "command -v java" >/dev/null' _ "$ROOT"
in_root apt-get update -qq >"$CACHE_DIR/apt.log" 2>&1
if in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB1")" >>"$CACHE_DIR/apt.log" 2>&1; then
	pass install "apt-get install ./$(basename "$DEB1") resolved its dependencies"
else
	fail install "apt-get install failed: $(tail -n 5 "$CACHE_DIR/apt.log" | tr '\n' ' ')"
fi
check installed "dpkg says: $(installed_version)" test "$(installed_version)" = "install ok installed $V1"
for dep in libbpf1 iproute2; do
	check "dep:$dep" "$dep installed by apt" in_root dpkg-query -W "$dep"
done
check dep:java "a Java runtime was pulled in: $(in_root readlink -f /usr/bin/java)" in_root sh -c 'command -v java'
out=$(in_root sluice version 2>&1)
check sluice-version "installed sluice version: $(head -n 1 <<<"$out")" grep -q '^sluice [0-9]' <<<"$out"
out=$(in_root sluiced --check-config /etc/sluice/sluice.yaml 2>&1)
check check-config "installed sluiced --check-config /etc/sluice/sluice.yaml: $out" grep -q ': OK' <<<"$out"
check sluice-config-check "installed sluice config check" in_root sluice config check /etc/sluice/sluice.yaml
check group "the sluice system group exists" in_root getent group sluice
check enabled "the unit is enabled (multi-user.target.wants symlink)" \
	test -L "$ROOT/etc/systemd/system/multi-user.target.wants/sluiced.service"
check man "sluiced(8) installed" test -f "$ROOT/usr/share/man/man8/sluiced.8.gz"

# --- upgrade, with an admin edit of the conffile --------------------------------------
echo "$ADMIN_MARK" >>"$ROOT/etc/sluice/sluice.yaml"
if in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB2")" >>"$CACHE_DIR/apt.log" 2>&1; then
	pass upgrade "apt-get install ./$(basename "$DEB2") over $V1"
else
	fail upgrade "upgrade failed: $(tail -n 5 "$CACHE_DIR/apt.log" | tr '\n' ' ')"
fi
check upgraded "dpkg says: $(installed_version)" test "$(installed_version)" = "install ok installed $V2"
check conffile-kept "the admin's edit of /etc/sluice/sluice.yaml survived the upgrade" \
	grep -qxF "$ADMIN_MARK" "$ROOT/etc/sluice/sluice.yaml"
check no-dpkg-dist "no .dpkg-dist/.dpkg-new left (the conffile did not change upstream)" \
	bash -c '! ls "$1"/etc/sluice/*.dpkg-* 2>/dev/null | grep -q .' _ "$ROOT"
check still-runs "sluiced --check-config after upgrade" in_root sluiced --check-config /etc/sluice/sluice.yaml

# --- remove: binaries gone, conffile stays (policy) -----------------------------------
if in_root apt-get remove -y -q sluice >>"$CACHE_DIR/apt.log" 2>&1; then pass remove "apt-get remove sluice"; else
	fail remove "$(tail -n 5 "$CACHE_DIR/apt.log" | tr '\n' ' ')"; fi
check removed-status "dpkg status after remove: $(installed_version)" \
	test "$(installed_version)" = "deinstall ok config-files $V2"
check removed-files "/usr/lib/sluice, /usr/bin/sluice, /usr/sbin/sluiced gone" \
	bash -c '! ls -d "$1"/usr/lib/sluice "$1"/usr/bin/sluice "$1"/usr/sbin/sluiced 2>/dev/null | grep -q .' _ "$ROOT"
check remove-keeps-config "remove keeps /etc/sluice/sluice.yaml (a conffile)" test -f "$ROOT/etc/sluice/sluice.yaml"

# --- purge: nothing left but the group ------------------------------------------------
if in_root apt-get purge -y -q sluice >>"$CACHE_DIR/apt.log" 2>&1; then pass purge "apt-get purge sluice"; else
	fail purge "$(tail -n 5 "$CACHE_DIR/apt.log" | tr '\n' ' ')"; fi
check purged-status "dpkg no longer knows sluice" bash -c '! chroot "$1" dpkg-query -W -f "\${Status}" sluice 2>/dev/null | grep -q .' _ "$ROOT"
leftovers=$(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./var/cache/apt/archives -o -path ./tmp \) -prune \
	-o -iname '*sluice*' -print | sed 's:^\.::' | sort)
if [[ -z $leftovers ]]; then
	pass leftovers "no file or directory named *sluice* left anywhere in the root"
else
	fail leftovers "left behind: $(tr '\n' ' ' <<<"$leftovers")"
fi
check group-kept "the sluice group stays after purge (policy: groups are not removed)" in_root getent group sluice

summary
