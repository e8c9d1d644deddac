#!/usr/bin/env bash
# Builds sluice_<version>_amd64.deb from the Maven build output with dpkg-deb.
#
#   packaging/build-deb.sh            after `mvn package` (or `mvn -pl lb -am package`)
#   VERSION=0.1.0+test1 packaging/build-deb.sh    a different package version (tests);
#                                                 -1 is appended when no revision is given
#
# Output: packaging/target/sluice_<version>_amd64.deb (OUT_DIR overrides the directory).
# The version is the root POM's project version unless VERSION is set.
set -euo pipefail

PACKAGING_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$PACKAGING_DIR")
OUT_DIR=${OUT_DIR:-$PACKAGING_DIR/target}
LB_TARGET=${LB_TARGET:-$REPO_DIR/lb/target}
ARCH=amd64
# Byte-for-byte repeatable builds: every file dated by the last change of the tree.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO_DIR" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

die() { printf 'build-deb: %s\n' "$*" >&2; exit 1; }

# The project version: the first <version> of the root POM that is not inside <parent>
# (the root POM has no parent today; this stays right if it gets one).
pom_version() {
	awk '
		/<parent>/ { in_parent = 1 }
		/<\/parent>/ { in_parent = 0; next }
		!in_parent && /<version>/ {
			sub(/.*<version>[[:space:]]*/, ""); sub(/[[:space:]]*<\/version>.*/, ""); print; exit
		}' "$REPO_DIR/pom.xml"
}

# Maven versions to Debian ones: 1.2.0-SNAPSHOT sorts before 1.2.0 as 1.2.0~snapshot, and
# a Debian revision (-1) is added unless one is given: the .deb is packaging of the upstream
# release, with its own changelog.Debian.
DEBIAN_REVISION=1
debian_version() {
	local v=$1
	[[ $v == *-SNAPSHOT ]] && v="${v%-SNAPSHOT}~snapshot"
	[[ $v == *-* ]] || v="$v-$DEBIAN_REVISION"
	printf '%s' "$v"
}

POM_VERSION=$(pom_version)
[[ -n $POM_VERSION ]] || die "no <version> in $REPO_DIR/pom.xml"
VERSION=$(debian_version "${VERSION:-$POM_VERSION}")
[[ $VERSION =~ ^[0-9][A-Za-z0-9.+~]*-[A-Za-z0-9.+~]+$ ]] || die "not a Debian version: $VERSION"

JAR=$LB_TARGET/sluice-lb-$POM_VERSION.jar
[[ -f $JAR ]] || die "$JAR missing: run mvn package first"
[[ -d $LB_TARGET/lib ]] || die "$LB_TARGET/lib missing: run mvn package first"
BPF_DIR=$LB_TARGET/classes/bpf
compgen -G "$BPF_DIR/*.o" >/dev/null || die "no BPF objects in $BPF_DIR: run mvn package first"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/sluice-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
ROOT=$STAGE/root
mkdir -p "$ROOT/DEBIAN"

# The Class-Path entries of a jar's manifest (continuation lines start with one space).
manifest_class_path() {
	python3 - "$1" <<'PY'
import sys, zipfile
text = zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode()
joined = text.replace("\r\n", "\n").replace("\n ", "")
for line in joined.splitlines():
    if line.startswith("Class-Path:"):
        print("\n".join(line.split(":", 1)[1].split()))
PY
}

# install MODE SRC DST: a file with the mode policy wants, parents created.
put() { install -D -m "$1" "$2" "$ROOT/$3"; }

put 0644 "$JAR" usr/lib/sluice/sluice-lb.jar
# Exactly the jars the manifest's Class-Path names: lib/ may hold leftovers of older builds.
for entry in $(manifest_class_path "$JAR"); do
	[[ -f $LB_TARGET/$entry ]] || die "$LB_TARGET/$entry (in the jar's Class-Path) missing: run mvn package"
	put 0644 "$LB_TARGET/$entry" "usr/lib/sluice/$entry"
done
for f in "$BPF_DIR"/*.o; do
	[[ $(basename "$f") == bench_* ]] && continue # benchmark wrappers are not run in production
	put 0644 "$f" "usr/lib/sluice/bpf/$(basename "$f")"
done
put 0755 "$PACKAGING_DIR/bin/sluiced" usr/sbin/sluiced
put 0755 "$PACKAGING_DIR/bin/sluice" usr/bin/sluice
put 0644 "$PACKAGING_DIR/sluice.yaml" etc/sluice/sluice.yaml
put 0644 "$REPO_DIR/systemd/sluiced.service" lib/systemd/system/sluiced.service
put 0644 "$PACKAGING_DIR/debian/copyright" usr/share/doc/sluice/copyright
put 0644 "$PACKAGING_DIR/debian/lintian-overrides" usr/share/lintian/overrides/sluice

gz() { gzip -9 -n -c "$1" >"$2" && touch -d "@$SOURCE_DATE_EPOCH" "$2"; }
mkdir -p "$ROOT/usr/share/man/man1" "$ROOT/usr/share/man/man8"
gz "$PACKAGING_DIR/man/sluice.1" "$ROOT/usr/share/man/man1/sluice.1.gz"
gz "$PACKAGING_DIR/man/sluiced.8" "$ROOT/usr/share/man/man8/sluiced.8.gz"

CHANGELOG_DATE=$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$CHANGELOG_DATE/" "$PACKAGING_DIR/debian/changelog" \
	>"$STAGE/changelog.Debian"
gz "$STAGE/changelog.Debian" "$ROOT/usr/share/doc/sluice/changelog.Debian.gz"

for script in postinst prerm postrm; do
	install -m 0755 "$PACKAGING_DIR/debian/$script" "$ROOT/DEBIAN/$script"
done
install -m 0644 "$PACKAGING_DIR/debian/conffiles" "$ROOT/DEBIAN/conffiles"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
	LC_ALL=C sort -z | xargs -0 md5sum) >"$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/md5sums"

INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
	"$PACKAGING_DIR/debian/control.in" >"$ROOT/DEBIAN/control"

find "$ROOT" -type d -exec chmod 0755 {} +
find "$ROOT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$OUT_DIR"
DEB=$OUT_DIR/sluice_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
printf '%s\n' "$DEB"
