#!/usr/bin/env bash
# Packets per second through a live interface (issue 8): one generator, one LB core, the same
# minimum-size UDP frames through five paths, alternating in one run:
#   xdp-sink     an XDP program that drops everything on the LB interface (the floor of this rig)
#   sluice-tx    sluiced's balancer forwarding VIP traffic: Maglev, IPv4-in-IPv4, XDP_TX
#   sluice-drop  sluiced's balancer dropping a deny-listed source (dos.deny)
#   nft-drop     nftables dropping the same deny-listed source at the earliest hook (netdev ingress)
#   nft-dnat     nftables DNAT of the VIP traffic to the backend (prerouting nat, forwarded)
#
#   bench/pps.sh                              # 3 rounds x 5 paths x 5 s (~2.5 min)
#   bench/pps.sh --rounds 1 --seconds 3       # quick look
#
# Rig (namespaces this script creates, named with LAB_PREFIX, default pp):
#   <p>-ppgen [<p>g0] ==veth== [<p>l0] <p>-pplb [<p>l1] ==veth== [<p>b0] <p>-ppbe
# The generator (bench/pps/pps-gen: the kernel's BPF_PROG_RUN live-frames mode, as xdp-trafficgen
# uses, but IPv4 with a normal TTL so nftables can route it) sends into <p>g0; the frames arrive on
# <p>l0 in the LB namespace. ONE core does all of it: the generator is pinned to the LB CPU (the
# last one), and when each batch of 64 frames is sent the kernel runs, in softirq on that same
# core, the LB interface's receive (sluice's XDP program, or the stack and nftables) and then the
# receiver's (<p>g0 for sluice's XDP_TX, <p>b0 for nftables' forwarded packets; both drop at their
# own XDP hook and their veth counters count what arrived). So a path's cost per packet is the
# core's time per packet, and the LB's share is the difference to the xdp-sink row (same
# generator, an LB that only drops). CPU time is the generator's own (softirq run in its context
# is charged to it) plus that core's ksoftirqd, so other load on the machine does not enter it.
# Why not a second core for the LB: docs/BENCHMARKS.md (a veth NAPI thread on its own core waits
# for cross-CPU wake-ups longer than its 256-frame ring lasts, and the ring overflows while that
# core idles).
# Bounded: every generator run stops after --count packets or --seconds, the plan is refused
# over 14 minutes; everything started is stopped by PID and the namespaces are removed on exit.
set -euo pipefail
export LAB_PREFIX=${LAB_PREFIX:-pp}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lab/lib.sh
source "$REPO/lab/lib.sh"

ROUNDS=3
SECONDS_PER_RUN=5
COUNT=50000000
OUT="$REPO/bench/target/pps"
PATHS=(xdp-sink sluice-tx sluice-drop nft-drop nft-dnat)
MAX_PLAN_S=840
DAEMON_START_S=60

usage() {
	echo "usage: $0 [--rounds N] [--seconds S] [--count PACKETS] [--out DIR]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECONDS_PER_RUN=$2; shift 2 ;;
	--count) COUNT=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 && $ROUNDS -le 10 ]] || lab_die "--rounds: 1..10"
[[ $SECONDS_PER_RUN =~ ^[0-9]+$ && $SECONDS_PER_RUN -ge 1 && $SECONDS_PER_RUN -le 30 ]] || lab_die "--seconds: 1..30"
[[ $COUNT =~ ^[0-9]+$ && $COUNT -ge 1000 && $COUNT -le 1000000000 ]] || lab_die "--count: 1000..1000000000"
# Per round: every path's run plus settling, and one daemon start (usually 5-15 s).
plan_s=$((ROUNDS * (${#PATHS[@]} * (SECONDS_PER_RUN + 2) + 20) + 30))
((plan_s <= MAX_PLAN_S)) || lab_die "the plan takes ~${plan_s}s, over ${MAX_PLAN_S}s: fewer rounds or shorter runs"

lab_require_root
for tool in nft ethtool clang gcc taskset curl; do
	command -v "$tool" >/dev/null || lab_die "missing: $tool"
done
lab_check_built || exit 2
(($(nproc) >= 2)) || lab_die "needs 2 CPUs: the measured one, and one for everything else"
# It stops every process recorded under its prefix when it ends: never share one with a lab.
! lab_ns_exists lb1 || lab_die "a lab runs under LAB_PREFIX=$LAB_PREFIX: give bench/pps.sh a prefix of its own"

GEN=ppgen LB=pplb BE=ppbe
GEN_DEV=${LAB_PREFIX}g0 LB_DEV=${LAB_PREFIX}l0 LB_OUT=${LAB_PREFIX}l1 BE_DEV=${LAB_PREFIX}b0
GEN_V4=10.0.9.2 LB_V4=10.0.9.1 LB_OUT_V4=10.0.8.1 BE_V4=10.0.8.2
VIP=10.0.9.100 VIP_PORT=9000 CLIENT_PORT=40000
DENY_PREFIX=203.0.113.0/24 DENIED=203.0.113.9
ENCAP_SRC=10.0.9.128/25
LB_CPU=$(($(nproc) - 1))
PIN_DIR=$(lab_pin_dir pps)
CONFIG="$LAB_RUN_DIR/pps-sluice.yaml"
METRICS=127.0.0.1:9469
BUILD="$OUT/build"
RAW="$OUT/runs.tsv"

cleanup() {
	set +e
	lab_stop "sluiced-$LB"
	if lab_ns_exists "$LB"; then
		lab_detach_daemon "$LB" "$CONFIG"
	fi
	lab_stop_all
	for ns in "$GEN" "$LB" "$BE"; do
		lab_ns_exists "$ns" && ip netns del "$(lab_ns "$ns")"
	done
	[[ -d $PIN_DIR ]] && rm -rf "$PIN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT" "$BUILD" "$LAB_RUN_DIR"
lab_mount_bpffs

# --- build the generator and the receivers' program --------------------------------
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$REPO/bench/pps/pps.bpf.c" -o "$BUILD/pps-tx.o"
clang -O2 -g -target bpf -DSINK -I/usr/include/x86_64-linux-gnu -c "$REPO/bench/pps/pps.bpf.c" -o "$BUILD/pps-sink.o"
gcc -O2 -Wall -o "$BUILD/pps-gen" "$REPO/bench/pps/pps-gen.c" -lbpf

# --- the rig -------------------------------------------------------------------------
cleanup
trap cleanup EXIT
for ns in "$GEN" "$LB" "$BE"; do
	ip netns add "$(lab_ns "$ns")"
	lab_in "$ns" ip link set lo up
done
ip -n "$(lab_ns "$GEN")" link add "$GEN_DEV" type veth peer name "$LB_DEV" netns "$(lab_ns "$LB")"
ip -n "$(lab_ns "$LB")" link add "$LB_OUT" type veth peer name "$BE_DEV" netns "$(lab_ns "$BE")"
lab_in "$GEN" ip addr add "$GEN_V4/24" dev "$GEN_DEV"
lab_in "$LB" ip addr add "$LB_V4/24" dev "$LB_DEV"
lab_in "$LB" ip addr add "$LB_OUT_V4/24" dev "$LB_OUT"
lab_in "$BE" ip addr add "$BE_V4/24" dev "$BE_DEV"
for pair in "$GEN:$GEN_DEV" "$LB:$LB_DEV" "$LB:$LB_OUT" "$BE:$BE_DEV"; do
	lab_in "${pair%%:*}" ip link set "${pair#*:}" up
done
lab_sysctl "$LB" net.ipv4.ip_forward 1
GEN_MAC=$(lab_mac "$GEN" "$GEN_DEV")
LB_MAC=$(lab_mac "$LB" "$LB_DEV")
BE_MAC=$(lab_mac "$BE" "$BE_DEV")
# The receivers drop everything at XDP, ARP replies included: static neighbours instead.
lab_in "$LB" ip neigh replace "$BE_V4" lladdr "$BE_MAC" dev "$LB_OUT" nud permanent
lab_in "$LB" ip neigh replace "$GEN_V4" lladdr "$GEN_MAC" dev "$LB_DEV" nud permanent
# Receivers: XDP drop (and NAPI, which a veth needs to take redirected frames).
lab_in "$GEN" ip link set dev "$GEN_DEV" xdpdrv obj "$BUILD/pps-sink.o" sec xdp
lab_in "$BE" ip link set dev "$BE_DEV" xdpdrv obj "$BUILD/pps-sink.o" sec xdp
# GRO on keeps the LB veth's NAPI when no XDP program is attached (the nftables paths): a veth
# takes redirected frames only with NAPI.
lab_in "$LB" ethtool -K "$LB_DEV" gro on >/dev/null

ksoftirqd_pid() { ps -eo pid=,comm= | awk -v want="ksoftirqd/$1" '$2 == want { print $1; exit }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
veth_stat() { lab_in "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'; }
sluice_metric() {
	lab_in "$LB" curl -s --max-time 5 "http://$METRICS/metrics" |
		awk -v r="reason=\"$1\"" '$1 ~ /^sluice_packets_total/ && index($1, r) { print $2; exit }' |
		awk '{ printf "%d", $1 }'
}
nft_counter() {
	lab_in "$LB" nft list chain netdev pps_drop ingress 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# --- sluiced ---------------------------------------------------------------------------
JAR=$(lab_stage_jar) || lab_die "no daemon jar: mvn -B -pl lb -am package -DskipTests"
export LAB_JAR=$JAR
cat >"$CONFIG" <<EOF
# written by bench/pps.sh
interface: $LB_DEV
pin_dir: $PIN_DIR
xdp_mode: native
gateway_mac: "$GEN_MAC"
mtu: 1500
encap: { source_v4: $ENCAP_SRC }
status_file: $LAB_RUN_DIR/status-pps.json
admin: { socket: $LAB_RUN_DIR/admin-pps.sock }
metrics: { listen: "$METRICS" }
dos:
  deny: [$DENY_PREFIX]
vips:
  - name: pps
    address: "$VIP"
    port: $VIP_PORT
    protocol: udp
    table_size: 65537
    backends:
      - { address: "$BE_V4" }
EOF

start_sluice() {
	local ready_before
	ready_before=$(grep -c 'event=ready' "$LAB_RUN_DIR/sluiced-$LB.log" 2>/dev/null || true)
	lab_start_daemon "$LB" "$CONFIG"
	# lab_start_daemon records its PID (tag sluiced-<lb>); stop_sluice and cleanup stop it by that PID.
	lab_wait_ready "$LB" $((ready_before + 1)) "$DAEMON_START_S" || lab_die "sluiced did not get ready: see $LAB_RUN_DIR/sluiced-$LB.log"
}
stop_sluice() {
	lab_stop "sluiced-$LB"
	lab_detach_daemon "$LB" "$CONFIG"
}

# --- one measured run --------------------------------------------------------------------
# run <round> <path> <source address> <how handled packets are counted: a command printing a total>
run() {
	local round=$1 path=$2 src=$3 counter=$4 softirqd before after ticks_before ticks_after out
	local xmit_err_before xmit_err_after in_before in_after load sent secs cpu
	softirqd=$(ksoftirqd_pid "$LB_CPU")
	before=$($counter)
	xmit_err_before=$(veth_stat "$GEN" "$GEN_DEV" tx_queue_0_xdp_xmit_errors)
	in_before=$(veth_stat "$LB" "$LB_DEV" rx_queue_0_xdp_packets)
	ticks_before=$(cpu_ticks "$softirqd")
	out=$(timeout $((SECONDS_PER_RUN + 15)) nsenter --net="/run/netns/$(lab_ns "$GEN")" \
		taskset -c "$LB_CPU" "$BUILD/pps-gen" "$BUILD/pps-tx.o" "$GEN_DEV" "$LB_MAC" "$src" "$VIP" \
		"$CLIENT_PORT" "$VIP_PORT" "$COUNT" "$SECONDS_PER_RUN")
	ticks_after=$(cpu_ticks "$softirqd")
	# The last frames still in the rings, and sluiced refreshes its counters once a second.
	sleep 1.5
	after=$($counter)
	xmit_err_after=$(veth_stat "$GEN" "$GEN_DEV" tx_queue_0_xdp_xmit_errors)
	in_after=$(veth_stat "$LB" "$LB_DEV" rx_queue_0_xdp_packets)
	load=$(cut -d' ' -f1 /proc/loadavg)
	{ # every counter, for a look at where packets went
		for pair in "$GEN:$GEN_DEV" "$LB:$LB_DEV" "$LB:$LB_OUT" "$BE:$BE_DEV"; do
			echo "== ${pair#*:}"
			lab_in "${pair%%:*}" ethtool -S "${pair#*:}"
		done
		echo "== sluiced (when running)"
		lab_in "$LB" curl -s --max-time 5 "http://$METRICS/metrics" | grep -E '^sluice_(packets|dos)' || true
	} >"$OUT/counters-$round-$path.txt" 2>&1
	# sent=N seconds=S cpu=C pps=P
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
	secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
	cpu=$(sed -n 's/.*cpu=\([0-9.]*\).*/\1/p' <<<"$out")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$path" "$sent" "$secs" "$cpu" \
		"$((ticks_after - ticks_before))" "$((in_after - in_before))" "$((after - before))" \
		"$((xmit_err_after - xmit_err_before))" "$load" | tee -a "$RAW" >&2
}

sink_count() { veth_stat "$LB" "$LB_DEV" rx_queue_0_xdp_drops; }
gen_received() { veth_stat "$GEN" "$GEN_DEV" rx_queue_0_xdp_packets; }
be_received() { veth_stat "$BE" "$BE_DEV" rx_queue_0_xdp_packets; }
sluice_deny_drops() { sluice_metric drop_deny_list; }

nft_drop_on() {
	lab_in "$LB" nft -f - <<EOF
table netdev pps_drop {
	chain ingress {
		type filter hook ingress device "$LB_DEV" priority -500; policy accept;
		ip saddr $DENY_PREFIX counter drop
	}
}
EOF
}
nft_dnat_on() {
	lab_in "$LB" nft -f - <<EOF
table ip pps_dnat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $VIP udp dport $VIP_PORT dnat to $BE_V4
	}
}
EOF
}
nft_off() { lab_in "$LB" nft flush ruleset; }

echo "round	path	sent	seconds	gen_cpu_s	softirqd_ticks	lb_in	handled	not_enqueued	load1" >"$RAW"
lab_log "pps: $ROUNDS rounds x ${#PATHS[@]} paths x ${SECONDS_PER_RUN}s; generator, LB and receivers on CPU $LB_CPU"
for ((round = 1; round <= ROUNDS; round++)); do
	lab_in "$LB" ip link set dev "$LB_DEV" xdpdrv obj "$BUILD/pps-sink.o" sec xdp
	run "$round" xdp-sink "$GEN_V4" sink_count
	lab_in "$LB" ip link set dev "$LB_DEV" xdpdrv off

	start_sluice
	run "$round" sluice-tx "$GEN_V4" gen_received
	run "$round" sluice-drop "$DENIED" sluice_deny_drops
	stop_sluice
	[[ -z $(lab_in "$LB" ip -o link show "$LB_DEV" | grep -o 'prog/xdp') ]] || lab_die "sluice's program is still attached after --detach"

	nft_drop_on
	run "$round" nft-drop "$DENIED" nft_counter
	nft_off
	nft_dnat_on
	run "$round" nft-dnat "$GEN_V4" be_received
	nft_off
done

{
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
	echo "one core (CPU $LB_CPU) runs the generator, the LB and the receiver; 64-byte frames (IPv4 UDP, 22-byte payload), one flow"
	python3 "$REPO/bench/pps/report.py" "$RAW" "$(getconf CLK_TCK)"
} | tee "$OUT/table.md"
