# shellcheck shell=bash
# Shared by the package tests: PASS/FAIL bookkeeping and the .deb build.

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PACKAGING_DIR=$(dirname "$TESTS_DIR")
REPO_DIR=$(dirname "$PACKAGING_DIR")

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s: %s\n' "$1" "$2"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }
# check NAME DESCRIPTION COMMAND...: PASS if the command succeeds (its output is dropped).
check() {
	local name=$1 what=$2
	shift 2
	if "$@" >/dev/null 2>&1; then pass "$name" "$what"; else fail "$name" "$what"; fi
}
summary() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	((failed == 0))
}

# build_deb [VERSION] [OUT_DIR]: prints the path of the .deb (needs `mvn package` done).
build_deb() {
	VERSION=${1:-} OUT_DIR=${2:-$PACKAGING_DIR/target} "$PACKAGING_DIR/build-deb.sh"
}

require_root() {
	if [[ $(id -u) -ne 0 ]]; then
		echo "$(basename "$0"): run as root" >&2
		exit 2
	fi
}
