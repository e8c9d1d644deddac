# shellcheck shell=bash
# The PASS / FAIL lines of a lab test and their count: each test sources this after lib.sh,
# reports every check through pass/fail, and ends with "N passed, M failed".
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s: %s\n' "$1" "$2"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }
json() { lab_json "$@"; }
