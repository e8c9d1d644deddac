#!/usr/bin/env bash
# DoS stage in the lab, as root: an attacker namespace floods the VIP while the
# legitimate client makes HTTP requests through it.
#
#   spoofed random sources: SYN and ICMP echo from a deny-listed range, "xmas" TCP,
#   UDP from a reflection port (memcached) -> counted drops, never forwarded
#   one source (the attacker's own address): SYN then UDP above the auto-block
#   threshold -> put on the deny list, lifted when its TTL expires
#   then SIGHUP reloads: the client's /24 denied and allowed again with map updates
#   only (same program id), and an invalid prefix rejected with the rules kept;
#   the CLI: `sluice dos block` the attacker's address during its traffic -> its
#   packets are deny-list drops; the block survives a daemon restart with its expiry;
#   `sluice dos unblock` -> they pass again
#
# Every flood is bounded in packets, rate and seconds (lab/flood.py). Builds
# nothing (make -C bpf-xdp; mvn -pl lb -am package). Prints "N passed, M failed".
set -uo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log"
STATUS="$LAB_RUN_DIR/status-$LB.json"
VIP_PORT=80
UDP_PORT=53
LB_HOST_PORT=8080
READY_TIMEOUT_S=60
LEGIT_REQUESTS=300
MIN_LEGIT_REQUESTS=200
DENIED_RANGE=198.18.0.0/15
FLOOD_PPS=15000
AUTO_BLOCK_PPS=5000
AUTO_BLOCK_TTL_S=5
UNBLOCK_WAIT_S=30
BLOCKS_FILE="$LAB_RUN_DIR/dos-blocks-$LB.json"
# Below auto_block and source_packets: only the operator's block can drop it.
CLI_FLOOD_PPS=2000
CLI_FLOOD_COUNT=4000
CLI_MIN_DROPS=3000

# shellcheck source=lab/checks.sh
source "$LAB_DIR/checks.sh"

cleanup() {
	trap - EXIT INT TERM
	lab_stop legit-client 2>/dev/null
	lab_stop "sluiced-$LB" 2>/dev/null
	lab_detach_daemon "$LB" "$CONFIG"
	lab_down
	printf 'dos: lab torn down (daemon log kept in %s)\n' "$LOG"
}

# The lab's config plus a UDP VIP and the dos section under test.
write_config() {
	local be
	lab_write_config "$LB" "$CONFIG"
	{
		echo "  - name: dns"
		echo "    address: \"$LAB_VIP_V4\""
		echo "    port: $UDP_PORT"
		echo "    protocol: udp"
		echo "    table_size: 13"
		echo "    backends:"
		for be in "${LAB_BACKENDS[@]}"; do echo "      - { address: \"$(lab_v4 "$be")\" }"; done
		echo "dos:"
		echo "  deny: [$DENIED_RANGE]"
		echo "  source_packets: { rate: 10000, burst: 20000 }"
		echo "  auto_block: { packets_per_second: $AUTO_BLOCK_PPS, duration: ${AUTO_BLOCK_TTL_S}s, max_blocks: 100 }"
		echo "  blocks_file: $BLOCKS_FILE"
	} >>"$CONFIG"
}

start_lab() {
	lab_up || { echo "lab up failed"; return 1; }
	lab_start_servers "$VIP_PORT" "$LB_HOST_PORT" || return 1
	write_config
	: >"$LOG"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 1 "$READY_TIMEOUT_S" || { tail -n 30 "$LOG" >&2; echo "sluiced not ready"; return 1; }
}

flood() {
	timeout 40 nsenter --net="/run/netns/$(lab_ns attacker)" "$LAB_PYTHON" "$LAB_DIR/flood.py" \
		--target "$LAB_VIP_V4" --pps "$FLOOD_PPS" "$@"
}

reason() {
	"$LAB_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["packet_reasons"].get(sys.argv[2], 0))' \
		"$STATUS" "$1"
}

# A DoS drop counter as the admin API reads it now (sluice dos list --json).
api_drops() {
	lab_sluice "$LB" dos list --json |
		"$LAB_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["drops"].get(sys.argv[1], 0))' "$1"
}

# The expiry of the attacker's block as the API lists it (empty: not blocked).
block_expiry() {
	lab_sluice "$LB" dos list --json | "$LAB_PYTHON" -c '
import json, sys
print(next((b["expires_at"] for b in json.load(sys.stdin)["blocks"] if b["prefix"] == sys.argv[1]), ""))' "$1"
}

# A restarted daemon puts the temporary block back from the blocks file, with its expiry.
restart_keeps_block() {
	local expiry restored
	expiry=$(block_expiry "$LAB_ATTACKER_V4/32")
	lab_stop "sluiced-$LB"
	lab_start_daemon "$LB" "$CONFIG"
	if ! lab_wait_ready "$LB" 2 "$READY_TIMEOUT_S"; then
		fail "cli block restart" "sluiced did not restart: $(tail -n 5 "$LOG")"
		return
	fi
	restored=$(block_expiry "$LAB_ATTACKER_V4/32")
	[[ -n $expiry && $restored == "$expiry" ]] && grep -q "event=dos_block_restored origin=manual source=$LAB_ATTACKER_V4/32" "$LOG" &&
		pass "cli block restart" "the restarted daemon restored $LAB_ATTACKER_V4/32 until $restored" ||
		fail "cli block restart" "expiry before: '$expiry', after the restart: '$restored'"
}

# `sluice dos block` the attacker during its traffic, then `sluice dos unblock` it.
cli_block_unblock() {
	local before after out
	rm -f "$BLOCKS_FILE"
	if ! out=$(lab_sluice "$LB" dos block "$LAB_ATTACKER_V4" --ttl 10m --reason lab-test 2>&1); then
		fail "cli block" "$out"
		return
	fi
	echo "sluice dos block: $out"
	grep -q "\"$LAB_ATTACKER_V4/32\"" "$BLOCKS_FILE" && pass "cli block kept" "$LAB_ATTACKER_V4/32 in $BLOCKS_FILE" ||
		fail "cli block kept" "$LAB_ATTACKER_V4/32 not in $BLOCKS_FILE"
	before=$(api_drops drop_deny_list)
	out=$(flood --source "$LAB_ATTACKER_V4" --port "$VIP_PORT" --flags syn --pps "$CLI_FLOOD_PPS" \
		--count "$CLI_FLOOD_COUNT" --seconds 3)
	echo "flood one source SYN while blocked: $out"
	after=$(api_drops drop_deny_list)
	(((after - before) >= CLI_MIN_DROPS)) &&
		pass "cli block" "$((after - before)) of $CLI_FLOOD_COUNT packets from $LAB_ATTACKER_V4 were deny-list drops" ||
		fail "cli block" "only $((after - before)) deny-list drops of $CLI_FLOOD_COUNT"
	lab_sluice "$LB" dos list | sed -n '/^Blocks:/,/^Limits:/p'
	restart_keeps_block

	if ! out=$(lab_sluice "$LB" dos unblock "$LAB_ATTACKER_V4" 2>&1); then
		fail "cli unblock" "$out"
		return
	fi
	echo "sluice dos unblock: $out"
	before=$(api_drops drop_deny_list)
	out=$(flood --source "$LAB_ATTACKER_V4" --port "$VIP_PORT" --flags syn --pps "$CLI_FLOOD_PPS" \
		--count "$CLI_FLOOD_COUNT" --seconds 3)
	echo "flood one source SYN after unblock: $out"
	after=$(api_drops drop_deny_list)
	((after == before)) && ! grep -q "\"$LAB_ATTACKER_V4/32\"" "$BLOCKS_FILE" &&
		pass "cli unblock" "no deny-list drops for $LAB_ATTACKER_V4 after unblock, and gone from the blocks file" ||
		fail "cli unblock" "$((after - before)) deny-list drops after unblock"
}

# Wait (bounded) until the status file is refreshed after now.
settle() { sleep 2.5; }

main() {
	lab_require_root
	lab_check_built || exit 2
	trap cleanup EXIT INT TERM
	local error
	if ! error=$(start_lab); then
		fail "lab" "$error"
		printf '%d passed, %d failed\n' "$passed" "$failed"
		return 1
	fi

	# The legitimate client runs through every flood (about 15 s, paced).
	lab_start client legit-client "$LAB_PYTHON" "$LAB_DIR/client.py" --target "$LAB_VIP_V4" --port "$VIP_PORT" \
		--count "$LEGIT_REQUESTS" --concurrency 2 --interval 0.1 --timeout 3 --max-seconds 80

	local out
	out=$(flood --random-sources "$DENIED_RANGE" --port "$VIP_PORT" --flags syn --count 45000 --seconds 3)
	echo "flood spoofed SYN from $DENIED_RANGE: $out"
	out=$(flood --random-sources 203.0.113.0/24 --port "$VIP_PORT" --flags xmas --count 30000 --seconds 2)
	echo "flood spoofed xmas TCP: $out"
	out=$(flood --random-sources 100.64.0.0/10 --proto udp --source-port 11211 --port "$UDP_PORT" --count 30000 \
		--seconds 2)
	echo "flood spoofed UDP from port 11211: $out"
	out=$(flood --source "$LAB_ATTACKER_V4" --port "$VIP_PORT" --flags syn --count 60000 --seconds 4)
	echo "flood one source SYN: $out"
	out=$(flood --source "$LAB_ATTACKER_V4" --proto udp --port "$UDP_PORT" --count 30000 --seconds 2)
	echo "flood one source UDP: $out"

	local deadline=$((SECONDS + 90))
	while lab_running legit-client && ((SECONDS < deadline)); do sleep 0.5; done
	local summary attempted succeeded
	summary=$(tail -n 1 "$LAB_RUN_DIR/legit-client.log")
	attempted=$(lab_json "$summary" 's["attempted"]' 2>/dev/null || echo 0)
	succeeded=$(lab_json "$summary" 's["succeeded"]' 2>/dev/null || echo 0)
	if ((attempted >= MIN_LEGIT_REQUESTS && succeeded == attempted)); then
		pass "legitimate client" "$succeeded/$attempted HTTP requests through the VIP succeeded during the floods"
	else
		fail "legitimate client" "$succeeded/$attempted succeeded: $summary"
	fi

	settle
	local deny flags reflection rate
	deny=$(reason drop_deny_list)
	flags=$(reason drop_tcp_flags)
	reflection=$(reason drop_reflection)
	rate=$(reason drop_source_rate)
	echo "drops: deny_list=$deny tcp_flags=$flags reflection=$reflection source_rate=$rate"
	# Most of each bounded flood must have been dropped (veth queues may lose a few).
	((deny >= 20000)) && pass "deny list" "$deny spoofed packets from $DENIED_RANGE (and the blocked source) dropped" ||
		fail "deny list" "only $deny deny-list drops"
	((flags >= 15000)) && pass "tcp flags" "$flags xmas packets dropped" || fail "tcp flags" "only $flags drops"
	((reflection >= 15000)) && pass "reflection" "$reflection UDP packets from port 11211 dropped" ||
		fail "reflection" "only $reflection drops"

	# The lists cover every IP protocol: an ICMP echo flood from the denied range dies in XDP too.
	out=$(flood --random-sources "$DENIED_RANGE" --proto icmp --count 15000 --seconds 2)
	echo "flood spoofed ICMP echo from $DENIED_RANGE: $out"
	settle
	local icmp_deny
	icmp_deny=$(($(reason drop_deny_list) - deny))
	((icmp_deny >= 7500)) && pass "deny list, ICMP" "$icmp_deny ICMP echo requests from $DENIED_RANGE dropped" ||
		fail "deny list, ICMP" "only $icmp_deny more deny-list drops after 15000 ICMP echo requests"

	if grep -q "event=dos_block origin=auto source=$LAB_ATTACKER_V4/32" "$LOG"; then
		pass "auto-block" "$(grep -m1 "event=dos_block origin=auto source=$LAB_ATTACKER_V4/32" "$LOG" | sed 's/.*event=/event=/')"
	else
		fail "auto-block" "no event=dos_block for $LAB_ATTACKER_V4 in $LOG"
	fi
	deadline=$((SECONDS + UNBLOCK_WAIT_S))
	while ((SECONDS < deadline)) &&
		! grep -q "event=dos_unblock origin=auto source=$LAB_ATTACKER_V4/32 reason=expired" "$LOG"; do
		sleep 0.5
	done
	if grep -q "event=dos_unblock origin=auto source=$LAB_ATTACKER_V4/32 reason=expired" "$LOG"; then
		pass "auto-unblock" "$(grep "event=dos_unblock origin=auto source=$LAB_ATTACKER_V4/32" "$LOG" | tail -n 1 | sed 's/.*event=/event=/')"
	else
		fail "auto-unblock" "no event=dos_unblock for $LAB_ATTACKER_V4 within ${UNBLOCK_WAIT_S}s"
	fi
	settle
	local blocks
	blocks=$("$LAB_PYTHON" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["dos"]["blocks"]))' "$STATUS")
	((blocks == 0)) && pass "status" "no blocks left in the status file" || fail "status" "$blocks blocks still listed"

	check_reload
	cli_block_unblock

	printf '%d passed, %d failed\n' "$passed" "$failed"
	((failed == 0))
}

xdp_prog_id() { lab_in "$LB" ip -d link show eth0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n 1; }

# SIGHUP with a changed rule set: map updates only (same program), an invalid one changes nothing.
reload_with() {
	local before
	before=$(grep -c 'event=reload_rejected\|event=dos_applied cause=reload' "$LOG")
	sed -i "s|^  deny: .*|  deny: [$1]|" "$CONFIG"
	kill -HUP "$(lab_pid "sluiced-$LB")"
	local deadline=$((SECONDS + 20))
	while ((SECONDS < deadline)) &&
		(($(grep -c 'event=reload_rejected\|event=dos_applied cause=reload' "$LOG") == before)); do
		sleep 0.2
	done
}

client_ok() {
	local out
	out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 5 --concurrency 1 --timeout 1 --max-seconds 20)
	lab_json "$out" 's["succeeded"]'
}

check_reload() {
	local prog ok
	prog=$(xdp_prog_id)
	reload_with "$DENIED_RANGE, 10.0.1.0/24"
	ok=$(client_ok)
	if ((ok == 0)) && grep -q 'event=dos_applied cause=reload .*deny_added=1' "$LOG" && [[ $(xdp_prog_id) == "$prog" ]]; then
		pass "reload-deny" "SIGHUP added the client's /24 to the deny list: 0/5 requests pass, same program id $prog"
	else
		fail "reload-deny" "after SIGHUP: $ok/5 requests passed, program $prog -> $(xdp_prog_id)"
	fi
	reload_with "$DENIED_RANGE, 10.0.1.0/33"
	ok=$(client_ok)
	if ((ok == 0)) && grep -A3 'event=reload_rejected' "$LOG" | grep -q 'dos.deny\[1\]'; then
		pass "reload-invalid" "an invalid prefix was rejected naming dos.deny[1]; the rules in force stayed (0/5 pass)"
	else
		fail "reload-invalid" "$ok/5 passed; log: $(grep -A3 'event=reload_rejected' "$LOG" | tail -n 4 | tr '\n' ' ')"
	fi
	reload_with "$DENIED_RANGE"
	ok=$(client_ok)
	((ok == 5)) && pass "reload-undeny" "SIGHUP without the client's /24: 5/5 requests pass again" ||
		fail "reload-undeny" "$ok/5 passed after removing the deny entry"
}

main "$@"
