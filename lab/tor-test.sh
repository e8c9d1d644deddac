#!/usr/bin/env bash
# The lab with its router as a ToR in XDP (LAB_ROUTER=xdp, lab/tor.sh), as bench/run-all uses it.
#
# Checks that real TCP through the VIPs (two router crossings each way in) and to the LB host's
# own service works, that the router forwarded it at the XDP stage (its kernel forwarded next to
# nothing), that host-to-host frames on the fabric are switched there too, and that what a router
# must answer itself still reaches its kernel: TTL expiry and an over-MTU packet get their ICMP.
# Builds nothing: expects bpf-xdp/out/*.o and the daemon jar. Tears everything down on exit.
# Prints "N passed, M failed" last and exits non-zero when M > 0.
set -uo pipefail
export LAB_PREFIX=${LAB_PREFIX:-tr} LAB_ROUTER=xdp
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=lab/checks.sh
source "$LAB_DIR/checks.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log" # written by lab_start_balancing
VIP_PORT=80
LB_HOST_PORT=8080
CONNECTIONS=300
# Packets a connection sends through the router at least: SYN, ACK, request, FIN, ACK in, and
# the backend's SYN-ACK, response, FIN-ACK out; VIP packets in cross it twice.
MIN_ROUTED_PER_CONNECTION=8
# The router's kernel may forward a few packets (a retransmission racing a map update, ND):
# at most this share of what the ToR program forwarded.
MAX_KERNEL_FORWARDED_PERCENT=2

cleanup() {
	trap - EXIT INT TERM
	lab_stop "sluiced-$LB" 2>/dev/null
	lab_detach_daemon "$LB" "$CONFIG"
	lab_down
	printf 'tor: lab torn down (daemon log kept in %s)\n' "$LOG"
}

# One ToR counter (lab_tor_stats) by name.
tor_stat() { lab_tor_stats | awk -v name="$1" '$1 == name { print $2 }'; }

# The router kernel's forwarded datagrams, IPv4 + IPv6 (its SNMP counters).
kernel_forwarded() {
	local v4 v6
	v4=$(lab_in router awk '/^Ip: [0-9]/ { print $7 }' /proc/net/snmp)
	v6=$(lab_in router awk '$1 == "Ip6OutForwDatagrams" { print $2 }' /proc/net/snmp6)
	echo $((v4 + v6))
}

start_lab() { lab_start_balancing "$LB" "$CONFIG" "$VIP_PORT" "$LB_HOST_PORT" 60; }

check_routed_traffic() {
	local routed_before kernel_before out4 out6 out_lb routed kernel
	routed_before=$(tor_stat l3_forward)
	kernel_before=$(kernel_forwarded)
	out4=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 8 --timeout 2)
	out6=$(lab_client --target "$LAB_VIP_V6" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 8 --timeout 2)
	out_lb=$(lab_client --target "$(lab_v4 "$LB")" --port "$LB_HOST_PORT" --count 20 --timeout 2)
	routed=$(($(tor_stat l3_forward) - routed_before))
	kernel=$(($(kernel_forwarded) - kernel_before))
	if [[ $(json "$out4" 's["succeeded"] == '"$CONNECTIONS"' and len(s["per_backend"]) == 3') == True &&
		$(json "$out6" 's["succeeded"] == '"$CONNECTIONS"' and len(s["per_backend"]) == 3') == True &&
		$(json "$out_lb" 's["per_backend"] == {"'"$LB"'": 20}') == True ]]; then
		pass "vip-traffic" "$CONNECTIONS + $CONNECTIONS connections to $LAB_VIP_V4 / $LAB_VIP_V6 over 3 backends, 20 to $LB's own service"
	else
		fail "vip-traffic" "v4 $(json "$out4" 's["succeeded"], s["per_backend"], s["failures"]') v6 $(json "$out6" 's["succeeded"], s["per_backend"], s["failures"]') lb $(json "$out_lb" 's["per_backend"], s["failures"]')"
	fi
	local min=$(((2 * CONNECTIONS + 20) * MIN_ROUTED_PER_CONNECTION))
	if ((routed >= min && kernel * 100 <= routed * MAX_KERNEL_FORWARDED_PERCENT)); then
		pass "routed-in-xdp" "the ToR program routed $routed packets (>= $min), the router's kernel forwarded $kernel"
	else
		fail "routed-in-xdp" "the ToR program routed $routed packets (want >= $min), the router's kernel forwarded $kernel (want <= ${MAX_KERNEL_FORWARDED_PERCENT}%)"
	fi
}

# lb1 -> be1 on the fabric subnet: no router hop, the ToR switches the frames (HAProxy's and
# nftables' path to the backends in bench/run-all).
check_switched_traffic() {
	local before out after
	before=$(tor_stat l2_forward)
	out=$(lab_in "$LB" curl -sS --max-time 3 "http://$(lab_v4 be1):$VIP_PORT/" -o /dev/null -w '%{http_code}' 2>&1)
	after=$(tor_stat l2_forward)
	if [[ $out == 200 ]] && ((after - before >= 3)); then
		pass "switched-in-xdp" "$LB -> be1 on the fabric: HTTP $out, $((after - before)) frames switched by the ToR program"
	else
		fail "switched-in-xdp" "$LB -> be1: '$out', l2_forward $before -> $after"
	fi
}

# TTL 1 through the router: the program passes it, the kernel answers time-exceeded.
check_ttl_expiry() {
	local before out after
	before=$(tor_stat pass_ttl)
	out=$(lab_in client ping -n -c 1 -W 2 -t 1 "$(lab_v4 be1)" 2>&1)
	after=$(tor_stat pass_ttl)
	if grep -q "Time to live exceeded" <<<"$out" && ((after == before + 1)); then
		pass "ttl-expiry" "ping -t 1 through the router: the kernel's time-exceeded came back, pass_ttl $before -> $after"
	else
		fail "ttl-expiry" "pass_ttl $before -> $after; ping said: $(tr '\n' ' ' <<<"$out" | cut -c1-200)"
	fi
}

# A 1,550-byte packet from a backend (fabric MTU 1600) to the client (link MTU 1500), DF set.
check_over_mtu() {
	local before out after
	before=$(tor_stat pass_mtu)
	out=$(lab_in be1 ping -n -c 1 -W 2 -M do -s 1522 "$LAB_CLIENT_V4" 2>&1)
	after=$(tor_stat pass_mtu)
	if grep -qi "frag needed\|mtu = 1500\|message too long" <<<"$out" && ((after >= before + 1)); then
		pass "over-mtu" "1550-byte DF packet toward the 1500-MTU client link: the kernel's frag-needed, pass_mtu $before -> $after"
	else
		fail "over-mtu" "pass_mtu $before -> $after; ping said: $(tr '\n' ' ' <<<"$out" | cut -c1-200)"
	fi
}

main() {
	lab_require_root
	lab_check_built || exit 2
	lab_bpf_object lab_tor >/dev/null || { echo "lab_tor.o not built (make -C bpf-xdp)" >&2; exit 2; }
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	local error
	if ! error=$(start_lab); then
		fail "lab-up" "$error"
	else
		check_routed_traffic
		check_switched_traffic
		check_ttl_expiry
		check_over_mtu
	fi
	printf '%d passed, %d failed\n' "$passed" "$failed"
	((failed == 0))
}

main "$@"
