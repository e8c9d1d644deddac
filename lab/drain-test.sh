#!/usr/bin/env bash
# Graceful drain and second chance in the network-namespace lab, as root.
#
# Builds nothing: expects bpf-xdp/out/*.o (make -C bpf-xdp) and the daemon jar
# (mvn -pl lb -am package). Checks, with real TCP through lb1:
#   drain-streams       50 long-lived streams; drain be1 (config + SIGHUP): no stream is
#                       reset or stalls, no new connection lands on be1, and be1 reaches
#                       DRAINED (quiet) once its streams close
#   second-chance       drain be2, then flush lb1's flow cache (sluiced --flush-flows): the
#                       streams still on be2 keep working (the current owners' decap sends
#                       them on), new connections never reach be2
#   two-drains          be1 and be2 drain at once: streams survive, new flows only on be3
#   drain-health-down   a draining backend whose health check fails is DRAINED at once
#   reload-under-load   >= 10 s of new connections across two config reloads: zero failures
#   upgrade-under-load  >= 10 s of new connections across a daemon restart on another balancer
#                       object (bpf_link program update, maps kept): zero failures
#   fill-survives-kill  a backend FILLING (undrained, slow start) when the daemon is killed with
#                       -9 is FILLING again after the restart, from when its fill began, and its
#                       ramped weight goes on from where it was (not its full share at once)
#   drain-survives-kill a backend DRAINING when the daemon is killed with -9 is DRAINING again
#                       after the restart on the same clock (its timeout counts from then)
#   undrain-across-restart  that backend undrained in the config while the daemon is down is
#                       FILLING after the restart (slow start), not ACTIVE at its full share
#   detach-on-exit      a plain stop leaves XDP attached; --detach-on-exit removes it
# Everything is torn down on exit. Prints "N passed, M failed" last.
set -uo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log"
STATUS="$LAB_RUN_DIR/status-$LB.json"
VIP_PORT=80
LB_HOST_PORT=8080
HEALTH_PORT=8081
READY_TIMEOUT_S=60
STREAMS=50
STREAM_SECONDS=16
STALL_MS=1500             # a stream that waits longer than this for its next line has stalled
NEW_CONNECTIONS=150
QUIET_SHORT=3s
QUIET_LONG=60s
DRAINED_WAIT_S=25
LOAD_SECONDS=12
LOAD_MIN_CONNECTIONS=200
FILL_SLOW_START=60s       # long enough that the ramp is far from over across a restart

# shellcheck source=lab/checks.sh
source "$LAB_DIR/checks.sh"

# For a failure line: lb1's non-zero reasons and the backends' decap counters.
dataplane_diag() {
	local reasons decap
	reasons=$("$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$LB")" 2>/dev/null |
		"$LAB_PYTHON" -c 'import json,sys; print({k: v for k, v in json.load(sys.stdin)["reasons"].items() if v})' 2>/dev/null)
	decap=$(bpftool -j map dump name decap_stats 2>/dev/null | "$LAB_PYTHON" -c '
import json, sys
names = ["pass_not_encap", "done", "drop_truncated", "sc_local", "sc_forward"]
try:
    maps = json.load(sys.stdin)
except ValueError:
    maps = []
tot = {}
for e in maps:
    for cpu in e.get("formatted", {}).get("values", []):
        k = e["formatted"]["key"]
        tot[k] = tot.get(k, 0) + cpu["value"]
print({names[k] if k < len(names) else k: v for k, v in sorted(tot.items()) if v})' 2>/dev/null)
	printf 'lb1 reasons %s; decap (all backends) %s' "$reasons" "$decap"
}

reason_count() { # lb1's count of one reason (sluice_reason without SLUICE_)
	"$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$LB")" 2>/dev/null |
		"$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["reasons"].get(sys.argv[1], 0))' "$1" 2>/dev/null || echo '?'
}

cleanup() {
	trap - EXIT INT TERM
	lab_stop streams 2>/dev/null
	lab_stop load 2>/dev/null
	lab_stop "sluiced-$LB" 2>/dev/null
	lab_detach_daemon "$LB" "$CONFIG"
	lab_down
	printf 'drain: lab torn down (daemon log kept in %s)\n' "$LOG"
}

# The lab config with a TCP check on HEALTH_PORT (its own server, so a check can fail
# while the VIP's server and its connections live on), the given quiet period, and
# drain: true on the named backends (v4 VIP).
write_config() { # draining quiet [slow_start]
	local draining=$1 quiet=$2 slow_start=${3:-} be
	lab_write_config "$LB" "$CONFIG" "drain_quiet_period: $quiet
drain_timeout: 120s${slow_start:+
slow_start: $slow_start}
health_check:
  type: tcp
  port: $HEALTH_PORT
  interval: 300ms
  timeout: 250ms
  rise: 2
  fall: 2"
	for be in $draining; do
		sed -i "s|{ address: \"$(lab_v4 "$be")\" }|{ address: \"$(lab_v4 "$be")\", drain: true }|" "$CONFIG"
	done
}

reload() {
	local before deadline
	before=$(grep -c 'cause=reload' "$LOG")
	kill -HUP "$(lab_pid "sluiced-$LB")"
	deadline=$((SECONDS + 10))
	while ((SECONDS < deadline)); do
		(($(grep -c 'cause=reload' "$LOG") > before)) && return 0
		sleep 0.1
	done
	echo "reload not applied within 10s: $(grep 'reload_rejected' "$LOG" | tail -n 1)" >&2
	return 1
}

start_streams() { # seconds [count]
	timeout $(($1 + 30)) nsenter --net="/run/netns/$(lab_ns client)" "$LAB_PYTHON" "$LAB_DIR/streams.py" \
		--target "$LAB_VIP_V4" --port "$VIP_PORT" --count "${2:-$STREAMS}" --seconds "$1" >"$LAB_RUN_DIR/streams.json" &
	lab_record_pid streams $!
	STREAMS_PID=$!
}

# Not in a $(...) subshell: only this shell can wait for the streams it started.
wait_streams() {
	wait "$STREAMS_PID"
	rm -f "$LAB_RUN_DIR/streams.pid"
}

# "ok ..." when every stream stayed open to the end without a stall and some were on `be`.
streams_verdict() { # json backend
	json "$1" '
(lambda st: ("ok " if st and all(x["ended"] == "open" and x["backend"] and x["max_gap_ms"] < '"$STALL_MS"' for x in st)
  and any(x["backend"] == "'"$2"'" for x in st) else "bad ")
  + "%d streams, %d open to the end, %d on '"$2"', longest gap %d ms, per backend %s, ends %s" % (len(st),
    sum(x["ended"] == "open" for x in st), sum(x["backend"] == "'"$2"'" for x in st),
    max(x["max_gap_ms"] for x in st), {b: sum(x["backend"] == b for x in st) for b in sorted({str(x["backend"]) for x in st})},
    sorted({x["ended"] for x in st if x["ended"] != "open"})))(s["streams"])'
}

# New connections during a drain: all answered, none by the listed backends.
new_connections_avoid() { # name backends...
	local name=$1 out avoid
	shift
	avoid=$(printf '"%s",' "$@")
	out=$(timeout "$LAB_CLIENT_TIMEOUT_S" nsenter --net="/run/netns/$(lab_ns client)" \
		"$LAB_PYTHON" "$LAB_DIR/client.py" --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$NEW_CONNECTIONS" \
		--concurrency 4 --timeout 2)
	if [[ $(json "$out" 'len(s["per_backend"]) > 0 and s["failed"] == 0 and s["succeeded"] == '"$NEW_CONNECTIONS"' and not any(b in s["per_backend"] for b in ['"$avoid"'])') == True ]]; then
		pass "$name" "$NEW_CONNECTIONS new connections, none on $*: $(json "$out" '"%s, failures %s" % (s["per_backend"], s["failures"] or "none")')"
	else
		fail "$name" "$(json "$out" '"%d/%d ok, per backend %s, failures %s" % (s["succeeded"], s["attempted"], s["per_backend"], s["failures"])'); lb1 reasons: $("$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$LB")" | "$LAB_PYTHON" -c 'import json,sys; print({k: v for k, v in json.load(sys.stdin)["reasons"].items() if v})')"
	fi
}

drain_state() { # backend address [field] -> its drain state (or another field) on the web VIP in the status file
	json "$(cat "$STATUS" 2>/dev/null || echo '{}')" \
		'([b.get("'"${2:-drain_state}"'") for v in s.get("vips", []) if v["name"] == "web" for b in v["backends"] if b["address"] == "'"$1"'"] or ["none"])[0]'
}

wait_log() { # pattern timeout_s
	local deadline=$((SECONDS + $2))
	while ((SECONDS < deadline)); do
		grep -qE "$1" "$LOG" && return 0
		sleep 0.2
	done
	return 1
}

start_lab() {
	lab_up || { echo "lab up failed"; return 1; }
	lab_start_servers "$VIP_PORT" "$LB_HOST_PORT" || return 1
	local be
	for be in "${LAB_BACKENDS[@]}"; do
		lab_start "$be" "health-$be" "$LAB_PYTHON" "$LAB_DIR/backend_server.py" --name "$be" --port "$HEALTH_PORT"
		lab_wait_listening "$be" "$HEALTH_PORT" || { echo "health server on $be did not start"; return 1; }
	done
	write_config "" "$QUIET_SHORT"
	: >"$LOG"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 1 "$READY_TIMEOUT_S" || { tail -n 30 "$LOG" >&2; echo "sluiced not ready"; return 1; }
	# Health checks need rise=2 passes before every backend takes flows.
	sleep 2
}

check_drain_streams() {
	local be1 out verdict
	be1=$(lab_v4 be1)
	start_streams "$STREAM_SECONDS"
	sleep 3
	write_config "be1" "$QUIET_SHORT"
	reload || { fail "drain-streams" "reload failed"; wait_streams; return; }
	new_connections_avoid "drain-no-new-flows" be1
	wait_streams
	out=$(cat "$LAB_RUN_DIR/streams.json")
	verdict=$(streams_verdict "$out" be1)
	if [[ $verdict == ok* ]]; then
		pass "drain-streams" "${verdict#ok }"
	else
		fail "drain-streams" "${verdict#bad }"
	fi
	if wait_log "vip=$LAB_VIP_V4:80/tcp backend=$be1 from=draining to=drained reason=quiet" "$DRAINED_WAIT_S"; then
		sleep 1.5 # the status file follows within a refresh
		pass "drained-after-close" "$(grep -E "backend=$be1 from=draining to=drained" "$LOG" | grep "$LAB_VIP_V4" | tail -n 1 | grep -o 'event=.*'); status: $(drain_state "$be1")"
	else
		fail "drained-after-close" "no quiet DRAINED for $be1 within ${DRAINED_WAIT_S}s; state $(drain_state "$be1"); $(grep 'event=drain_state' "$LOG" | tail -n 3 | tr '\n' ' ')"
	fi
}

check_second_chance() {
	local out verdict flushed before after
	write_config "" "$QUIET_LONG"
	reload || { fail "second-chance" "reload (undrain) failed"; return; }
	sleep 1
	start_streams "$STREAM_SECONDS"
	sleep 3
	# A short quiet period on purpose: once the flow cache is flushed, be2's streams reach it only
	# through second chance, and that traffic must keep the drain going.
	write_config "be2" "$QUIET_SHORT"
	reload || { fail "second-chance" "reload failed"; wait_streams; return; }
	before=$("$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$LB")" | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["reasons"].get("TX_SECOND_CHANCE", 0))')
	flushed=$(timeout 60 nsenter --net="/run/netns/$(lab_ns "$LB")" java -jar "$LAB_JAR" --config "$CONFIG" --flush-flows 2>>"$LOG" | grep '^flushed')
	new_connections_avoid "second-chance-no-new-flows" be2
	wait_streams
	out=$(cat "$LAB_RUN_DIR/streams.json")
	after=$("$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$LB")" | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["reasons"].get("TX_SECOND_CHANCE", 0))')
	verdict=$(streams_verdict "$out" be2)
	local state_at_end be2
	be2=$(lab_v4 be2)
	state_at_end=$(drain_state "$be2")
	if [[ $verdict == ok* && $flushed == flushed* && $after -gt $before ]]; then
		pass "second-chance" "$flushed; then ${verdict#ok }; second-chance packets $before -> $after"
	else
		fail "second-chance" "flush: '${flushed:-none}'; ${verdict#* }; second-chance packets $before -> $after"
	fi
	if [[ $state_at_end == draining ]] &&
		wait_log "vip=$LAB_VIP_V4:80/tcp backend=$be2 from=draining to=drained reason=quiet" "$DRAINED_WAIT_S"; then
		pass "second-chance-keeps-drain-busy" "be2 still draining when its streams ended (quiet period $QUIET_SHORT, traffic only via second chance), then: $(grep -E "backend=$be2 from=draining to=drained" "$LOG" | grep "$LAB_VIP_V4" | tail -n 1 | grep -o 'reason=.*')"
	else
		fail "second-chance-keeps-drain-busy" "be2 was '$state_at_end' when its streams ended; $(grep "backend=$be2" "$LOG" | grep drain_state | tail -n 2 | tr '\n' ' ')"
	fi
}

check_two_drains_and_health_down() {
	local out verdict be1 be2
	be1=$(lab_v4 be1)
	be2=$(lab_v4 be2)
	write_config "" "$QUIET_LONG"
	reload || { fail "two-drains" "reload (undrain) failed"; return; }
	sleep 1
	start_streams 10 30
	sleep 3
	write_config "be1 be2" "$QUIET_LONG"
	reload || { fail "two-drains" "reload failed"; wait_streams; return; }
	new_connections_avoid "two-drains-no-new-flows" be1 be2
	wait_streams
	out=$(cat "$LAB_RUN_DIR/streams.json")
	verdict=$(streams_verdict "$out" be1)
	if [[ $verdict == ok* && $(drain_state "$be1") == draining && $(drain_state "$be2") == draining ]]; then
		pass "two-drains" "be1 and be2 draining at once: ${verdict#ok }"
	else
		fail "two-drains" "${verdict#* }; be1 $(drain_state "$be1"), be2 $(drain_state "$be2")"
	fi
	lab_stop health-be2
	if wait_log "vip=$LAB_VIP_V4:80/tcp backend=$be2 from=draining to=drained reason=health_down" 10; then
		sleep 1.5
		pass "drain-health-down" "be2's check failed while draining: DRAINED at once (status $(drain_state "$be2")), be1 still $(drain_state "$be1")"
	else
		fail "drain-health-down" "no health_down DRAINED for $be2: $(grep 'event=drain_state\|event=health_changed' "$LOG" | tail -n 3 | tr '\n' ' ')"
	fi
	new_connections_avoid "after-health-down-no-new-flows" be1 be2
}

check_reload_under_load() {
	local out load_out="$LAB_RUN_DIR/load.json" load_pid replaced
	replaced=$(reason_count FLOW_SYN_REPLACED)
	timeout $((LOAD_SECONDS + 30)) nsenter --net="/run/netns/$(lab_ns client)" "$LAB_PYTHON" "$LAB_DIR/client.py" \
		--target "$LAB_VIP_V4" --port "$VIP_PORT" --count 20000 --interval 0.01 --concurrency 2 --timeout 2 \
		--max-seconds "$LOAD_SECONDS" >"$load_out" &
	load_pid=$!
	lab_record_pid load "$load_pid"
	sleep 3
	write_config "" "$QUIET_SHORT" # undrain be1 (be2 stays out: its check is down)
	reload
	sleep 3
	write_config "be3" "$QUIET_SHORT"
	reload
	wait "$load_pid"
	rm -f "$LAB_RUN_DIR/load.pid"
	out=$(cat "$load_out")
	replaced="$replaced -> $(reason_count FLOW_SYN_REPLACED)"
	if [[ -n $out && $(json "$out" 's["failed"] == 0 and s["succeeded"] >= '"$LOAD_MIN_CONNECTIONS"' and s["seconds"] >= 10') == True ]]; then
		pass "reload-under-load" "$(json "$out" '"%d/%d connections ok over %.1fs across two reloads (undrain be1, drain be3), per backend %s, failures %s" % (s["succeeded"], s["attempted"], s["seconds"], s["per_backend"], s["failures"] or "none")'); SYNs that found their 5-tuple remembered (reused port or retransmission): $replaced"
	else
		fail "reload-under-load" "$(json "${out:-{\}}" '"%s/%s ok, failures %s" % (s.get("succeeded"), s.get("attempted"), s.get("failures"))'); $(dataplane_diag)"
	fi
}

# A balancer object that differs from the build's (older instruction set: another program tag, the
# same behaviour), for a daemon restarted on it to upgrade the running program in place.
build_variant() {
	local dir="$LAB_RUN_DIR/variant"
	mkdir -p "$dir"
	clang -O2 -g -target bpf -mcpu=v2 -I"/usr/include/$(gcc -print-multiarch)" -I"$LAB_REPO_DIR/bpf-xdp/include" \
		-Wall -Werror -c "$LAB_REPO_DIR/bpf-xdp/balancer.c" -o "$dir/balancer.o" || return 1
	cp "$(lab_bpf_object decap)" "$dir/decap.o"
	printf '%s' "$dir"
}

check_upgrade_under_load() {
	local out load_out="$LAB_RUN_DIR/upgrade-load.json" load_pid variant readies upgraded replaced
	variant=$(build_variant) || { fail "upgrade-under-load" "could not build the variant object"; return; }
	replaced=$(reason_count FLOW_SYN_REPLACED)
	timeout $((LOAD_SECONDS + 60)) nsenter --net="/run/netns/$(lab_ns client)" "$LAB_PYTHON" "$LAB_DIR/client.py" \
		--target "$LAB_VIP_V4" --port "$VIP_PORT" --count 20000 --interval 0.01 --concurrency 2 --timeout 2 \
		--max-seconds "$LOAD_SECONDS" >"$load_out" &
	load_pid=$!
	lab_record_pid load "$load_pid"
	sleep 2
	readies=$(grep -c 'event=ready' "$LOG")
	lab_stop "sluiced-$LB"
	lab_start "$LB" "sluiced-$LB" java "-Dsluice.bpf.dir=$variant" -jar "$LAB_JAR" --config "$CONFIG"
	lab_wait_ready "$LB" $((readies + 1)) "$READY_TIMEOUT_S"
	wait "$load_pid"
	rm -f "$LAB_RUN_DIR/load.pid"
	out=$(cat "$load_out")
	upgraded=$(grep 'event=program_upgraded' "$LOG" | tail -n 1 | grep -o 'from_tag=[0-9a-f]* to_tag=[0-9a-f]*')
	replaced="$replaced -> $(reason_count FLOW_SYN_REPLACED)"
	if [[ -n $upgraded && -n $out && $(json "$out" 's["failed"] == 0 and s["succeeded"] >= '"$LOAD_MIN_CONNECTIONS"' and s["seconds"] >= 10') == True ]]; then
		pass "upgrade-under-load" "$(json "$out" '"%d/%d connections ok over %.1fs (failures %s)" % (s["succeeded"], s["attempted"], s["seconds"], s["failures"] or "none")') across stop, restart on a new balancer object and in-place upgrade ($upgraded); SYNs that found their 5-tuple remembered (reused port or retransmission): $replaced"
	else
		fail "upgrade-under-load" "upgrade: '${upgraded:-none}'; $(json "${out:-{\}}" '"%s/%s ok, failures %s" % (s.get("succeeded"), s.get("attempted"), s.get("failures"))'); $(dataplane_diag)"
	fi
}

check_fill_survives_kill() {
	local be3 since weight readies state since_after weight_after
	be3=$(lab_v4 be3)
	# The upgrade check's daemon was started as it was (under nohup it ignores SIGHUP, and this
	# check reloads): start one the usual way first.
	readies=$(grep -c 'event=ready' "$LOG")
	lab_stop "sluiced-$LB"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" $((readies + 1)) "$READY_TIMEOUT_S" || { fail "fill-survives-kill" "daemon not ready after a plain restart"; return; }
	write_config "be3" "$QUIET_SHORT" "$FILL_SLOW_START"
	reload || { fail "fill-survives-kill" "reload (drain be3) failed"; return; }
	write_config "" "$QUIET_SHORT" "$FILL_SLOW_START"
	reload || { fail "fill-survives-kill" "reload (undrain be3) failed"; return; }
	sleep 4 # into the ramp; the status file is rewritten every second
	since=$(drain_state "$be3" drain_since)
	weight=$(drain_state "$be3" effective_weight)
	readies=$(grep -c 'event=ready' "$LOG")
	lab_stop "sluiced-$LB" KILL
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" $((readies + 1)) "$READY_TIMEOUT_S" || { fail "fill-survives-kill" "daemon not ready again"; return; }
	sleep 1.5
	state=$(drain_state "$be3")
	since_after=$(drain_state "$be3" drain_since)
	weight_after=$(drain_state "$be3" effective_weight)
	if [[ $state == filling && $since_after == "$since" && $weight =~ ^[0-9]+$ && $weight_after =~ ^[0-9]+$ ]] &&
		((weight_after >= weight && weight_after < 100)) && grep -qE "backend=$be3 from=[a-z]* to=filling reason=resumed" "$LOG"; then
		pass "fill-survives-kill" "be3 filling since $since at weight $weight/100 before kill -9; after the restart filling since $since_after at $weight_after/100 ($(grep -E "backend=$be3 .*reason=resumed" "$LOG" | grep "$LAB_VIP_V4" | tail -n 1 | grep -o 'from=.*'))"
	else
		fail "fill-survives-kill" "before: filling since $since at $weight/100; after: $state since $since_after at $weight_after/100; $(grep "backend=$be3" "$LOG" | grep drain_state | tail -n 2 | tr '\n' ' ')"
	fi
}

check_drain_survives_kill() {
	local be3 since readies state since_after
	be3=$(lab_v4 be3)
	write_config "be3" "$QUIET_LONG"
	reload || { fail "drain-survives-kill" "reload (drain be3) failed"; return; }
	sleep 2 # the status file is rewritten every second
	since=$(drain_state "$be3" drain_since)
	readies=$(grep -c 'event=ready' "$LOG")
	lab_stop "sluiced-$LB" KILL
	sleep 1 # so a restarted clock would read a later second
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" $((readies + 1)) "$READY_TIMEOUT_S" || { fail "drain-survives-kill" "daemon not ready again"; return; }
	sleep 1.5
	state=$(drain_state "$be3")
	since_after=$(drain_state "$be3" drain_since)
	if [[ $state == draining && $since != none && $since_after == "$since" ]] &&
		grep -qE "backend=$be3 from=[a-z]* to=draining reason=resumed" "$LOG"; then
		pass "drain-survives-kill" "be3 draining since $since before kill -9, draining since $since_after after the restart (reason=resumed)"
	else
		fail "drain-survives-kill" "before: draining since $since; after: $state since $since_after; $(grep "backend=$be3" "$LOG" | grep drain_state | tail -n 2 | tr '\n' ' ')"
	fi
}

check_undrain_across_restart() {
	local be3 readies state weight undrains
	be3=$(lab_v4 be3)
	readies=$(grep -c 'event=ready' "$LOG")
	# fill-survives-kill undrained be3 by a reload: only a line logged after this restart counts.
	undrains=$(grep -cE "backend=$be3 from=[a-z]* to=filling reason=undrain" "$LOG")
	lab_stop "sluiced-$LB" KILL
	write_config "" "$QUIET_SHORT" "$FILL_SLOW_START"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" $((readies + 1)) "$READY_TIMEOUT_S" || { fail "undrain-across-restart" "daemon not ready again"; return; }
	sleep 1.5
	state=$(drain_state "$be3")
	weight=$(drain_state "$be3" effective_weight)
	if [[ $state == filling && $weight =~ ^[0-9]+$ ]] && ((weight < 100)) &&
		(($(grep -cE "backend=$be3 from=[a-z]* to=filling reason=undrain" "$LOG") > undrains)); then
		pass "undrain-across-restart" "be3 draining, daemon killed, config undrained, restarted: filling at $weight/100 (reason=undrain)"
	else
		fail "undrain-across-restart" "after the restart: $state at $weight/100; $(grep "backend=$be3" "$LOG" | grep drain_state | tail -n 2 | tr '\n' ' ')"
	fi
}

check_detach_on_exit() {
	local xdp pins cmd
	lab_stop "sluiced-$LB"
	xdp=$(lab_in "$LB" ip -o link show dev eth0 | grep -o 'prog/xdp id [0-9]*' || true)
	local kept=$xdp
	mapfile -t cmd < <(lab_sluiced_command)
	local readies
	readies=$(grep -c 'event=ready' "$LOG")
	lab_start "$LB" "sluiced-$LB" "${cmd[@]}" --config "$CONFIG" --detach-on-exit
	lab_wait_ready "$LB" $((readies + 1)) "$READY_TIMEOUT_S" || { fail "detach-on-exit" "daemon not ready again"; return; }
	lab_stop "sluiced-$LB"
	xdp=$(lab_in "$LB" ip -o link show dev eth0 | grep -o 'prog/xdp id [0-9]*' || true)
	pins=$(ls -A "$(lab_pin_dir "$LB")" 2>/dev/null || true)
	if [[ -n $kept && -z $xdp && -z $pins ]]; then
		pass "detach-on-exit" "plain stop kept '$kept' attached; stop with --detach-on-exit left no XDP and no pins"
	else
		fail "detach-on-exit" "after plain stop xdp='${kept:-none}'; after --detach-on-exit xdp='${xdp:-none}' pins='${pins:-none}'"
	fi
}

main() {
	lab_require_root
	lab_check_built || exit 2
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	local started=$SECONDS setup_error
	LAB_JAR=$(lab_stage_jar) || lab_die "could not copy the daemon jar"
	export LAB_JAR
	if setup_error=$(start_lab); then
		echo "drain: sluiced ready; checking"
		check_drain_streams
		check_second_chance
		check_two_drains_and_health_down
		check_reload_under_load
		check_upgrade_under_load
		check_fill_survives_kill
		check_drain_survives_kill
		check_undrain_across_restart
		check_detach_on_exit
	else
		fail "setup" "$setup_error"
	fi
	cleanup
	echo "drain: took $((SECONDS - started))s"
	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
