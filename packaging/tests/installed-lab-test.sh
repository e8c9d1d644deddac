#!/usr/bin/env bash
# The installed package drives the real XDP program: installs the .deb on this host
# (dpkg -i, apt-get -f install for anything missing), runs the lab's end-to-end test with
# the installed /usr/sbin/sluiced and the installed BPF objects, then checks that removing
# the package detaches a running data plane, and purges it.
#
# Installing for real (rather than unpacking into a temp root) is the honest test: the
# maintainer scripts, the launchers' default paths and the dependencies are the ones an
# edge host gets. It refuses to run when sluice is already installed or a data plane is
# pinned under the package's default pin dir, so it never disturbs a real one. Needs root
# and `mvn package` done. Prints PASS/FAIL lines and "N passed, M failed".
set -uo pipefail
# shellcheck source=packaging/tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEFAULT_PIN_DIR=/sys/fs/bpf/sluice
TEST_PIN_DIR=/sys/fs/bpf/sluice-pkgtest-$$
NETNS=sluice-pkgtest-$$
E2E_TIMEOUT_S=600
READY_TIMEOUT_S=60
STEP_TIMEOUT_S=300
CONFIG=/etc/sluice/sluice.yaml

require_root
if dpkg-query -W -f '${Status}' sluice 2>/dev/null | grep -q 'installed\|config-files'; then
	echo "sluice is already installed on this host: not touching it" >&2
	exit 2
fi
[[ -e $DEFAULT_PIN_DIR ]] && { echo "$DEFAULT_PIN_DIR exists (a data plane?): not installing over it" >&2; exit 2; }

group_existed=0
getent group sluice >/dev/null && group_existed=1
daemon_pid=

cleanup() {
	trap - EXIT INT TERM
	[[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	if dpkg-query -W sluice >/dev/null 2>&1; then
		timeout "$STEP_TIMEOUT_S" dpkg --purge sluice >/dev/null 2>&1
	fi
	((group_existed)) || ! getent group sluice >/dev/null || delgroup --system --quiet sluice
	[[ -e /run/netns/$NETNS ]] && ip netns del "$NETNS"
	rm -rf "$TEST_PIN_DIR" "$WORK"
}
WORK=$(mktemp -d)
trap cleanup EXIT
trap 'exit 130' INT TERM

DEB=$(build_deb) || { fail build "packaging/build-deb.sh failed (mvn package first?)"; summary; exit 1; }
VERSION=$(dpkg-deb -f "$DEB" Version)

# --- install on the host ----------------------------------------------------------------
if timeout "$STEP_TIMEOUT_S" dpkg -i "$DEB" >"$WORK/install.log" 2>&1 ||
	timeout "$STEP_TIMEOUT_S" env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q >>"$WORK/install.log" 2>&1; then
	pass install "dpkg -i $(basename "$DEB")"
else
	fail install "$(tail -n 5 "$WORK/install.log" | tr '\n' ' ')"
	summary
	exit 1
fi
check installed "dpkg status: $(dpkg-query -W -f '${Status} ${Version}' sluice)" \
	test "$(dpkg-query -W -f '${Status} ${Version}' sluice)" = "install ok installed $VERSION"
check verify-unit "systemd-analyze verify of the installed unit: $(systemd-analyze verify /lib/systemd/system/sluiced.service 2>&1 | tr '\n' ' ')" \
	bash -c '[[ -z $(systemd-analyze verify /lib/systemd/system/sluiced.service 2>&1) ]]'
check cli "installed sluice version: $(sluice version 2>&1 | head -n 1)" bash -c 'sluice version | grep -q "^sluice "'

# --- the lab's end-to-end test, driven by the installed package ----------------------------
# SLUICED: the lab starts the daemon with this command. LAB_JAR/LAB_BPF_DIR point the lab's
# own lookups (preflight, decap and xdp_pass objects) at the package, never the build tree.
export SLUICED=/usr/sbin/sluiced LAB_JAR=/usr/lib/sluice/sluice-lb.jar LAB_BPF_DIR=/usr/lib/sluice/bpf
# Its own lab names and run dir, so it cannot collide with a lab someone else is running.
export LAB_PREFIX=${LAB_PREFIX:-pk} LAB_RUN_DIR=$WORK/lab-run
mkdir -p "$LAB_RUN_DIR"
how="the installed /usr/sbin/sluiced"
timeout "$E2E_TIMEOUT_S" "$REPO_DIR/lab/e2e-test.sh" >"$WORK/e2e.log" 2>&1
e2e_rc=$?
e2e_summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$WORK/e2e.log" | tail -n 1)
sed 's/^/    e2e| /' "$WORK/e2e.log" | grep -E 'PASS|FAIL|passed'
if ((e2e_rc == 0)) && [[ $e2e_summary == *" 0 failed" ]]; then
	pass lab-e2e "lab/e2e-test.sh with $how and /usr/lib/sluice/bpf: $e2e_summary"
else
	fail lab-e2e "lab/e2e-test.sh rc=$e2e_rc with $how: ${e2e_summary:-no summary}"
fi

# --- remove detaches a running data plane ------------------------------------------------
# A daemon attached in a private netns, pinned under a test-owned dir; stopped like systemd
# would (SIGTERM), which leaves the program attached; then the package is removed.
ip netns add "$NETNS"
ip -n "$NETNS" link add pkt0 type veth peer name pkt1
ip -n "$NETNS" link set pkt0 up
ip -n "$NETNS" link set pkt1 up
cp "$CONFIG" "$WORK/shipped.yaml"
cat >"$CONFIG" <<YAML
interface: pkt0
pin_dir: $TEST_PIN_DIR
xdp_mode: generic
gateway_mac: "02:00:00:00:00:01"
encap: { source_v4: 10.77.0.128/25 }
vips:
  - name: web
    address: 10.100.0.1
    port: 80
    table_size: 7
    backends:
      - address: 10.77.0.2
YAML
nsenter --net="/run/netns/$NETNS" timeout "$STEP_TIMEOUT_S" /usr/sbin/sluiced --config "$CONFIG" >"$WORK/daemon.log" 2>&1 &
daemon_pid=$!
deadline=$((SECONDS + READY_TIMEOUT_S))
until grep -q 'event=ready' "$WORK/daemon.log" || ((SECONDS > deadline)) || ! kill -0 "$daemon_pid" 2>/dev/null; do
	sleep 0.2
done
check daemon-ready "installed sluiced attached in netns $NETNS: $(grep -o 'event=ready.*' "$WORK/daemon.log" | cut -c1-80)" \
	grep -q 'event=ready' "$WORK/daemon.log"
kill -TERM "$daemon_pid" && wait "$daemon_pid"
daemon_pid=
xdp_attached() { ip -n "$NETNS" -d link show pkt0 | grep -q 'prog/xdp'; }
check stop-leaves-dataplane "after SIGTERM the XDP program is still attached and pinned" \
	bash -c "$(declare -f xdp_attached); NETNS=$NETNS; xdp_attached && test -e $TEST_PIN_DIR"
if timeout "$STEP_TIMEOUT_S" dpkg -r sluice >"$WORK/remove.log" 2>&1; then pass remove "dpkg -r sluice"; else
	fail remove "$(tail -n 5 "$WORK/remove.log" | tr '\n' ' ')"; fi
check remove-detaches "remove took the program off pkt0 and deleted $TEST_PIN_DIR" \
	bash -c "$(declare -f xdp_attached); NETNS=$NETNS; ! xdp_attached && test ! -e $TEST_PIN_DIR"
check remove-keeps-config "remove keeps $CONFIG" test -f "$CONFIG"

if timeout "$STEP_TIMEOUT_S" dpkg --purge sluice >"$WORK/purge.log" 2>&1; then pass purge "dpkg --purge sluice"; else
	fail purge "$(tail -n 5 "$WORK/purge.log" | tr '\n' ' ')"; fi
left=$(ls -d /etc/sluice /usr/lib/sluice /usr/bin/sluice /usr/sbin/sluiced /var/lib/sluice \
	/etc/systemd/system/multi-user.target.wants/sluiced.service "$DEFAULT_PIN_DIR" 2>/dev/null)
check purge-clean "nothing left of config, code, unit links or pins${left:+: $left}" test -z "$left"

summary
