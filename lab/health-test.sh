#!/usr/bin/env bash
# Health checks steer traffic, in the lab, as root: with an HTTP check on every
# backend (interval 500 ms, fall 2, rise 2), stop the server on be2 while long-lived
# streams run and new connections keep coming:
#   - within interval x fall + 1 s no new connection reaches be2, and every new one
#     succeeds on be1/be3;
#   - streams that were on be1/be3 never move, stall or reset;
#   - be2 is DOWN in the daemon's log and in `sluice status`;
#   - start be2 again: after `rise` passes it receives new connections.
# Expects the build (jar, objects) like e2e-test.sh. Prints "N passed, M failed" last.
set -uo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log"
STATUS="$LAB_RUN_DIR/status-$LB.json"
VIP_PORT=80
LB_HOST_PORT=8080
VICTIM=be2
INTERVAL_MS=500
FALL=2
RISE=2
DETECT_S=$(((INTERVAL_MS * FALL + 1000 + 999) / 1000))   # interval x fall + 1 s, rounded up
STREAMS=12
STREAM_SECONDS=12
STREAM_MAX_GAP_MS=1000       # lines come every 100 ms: a gap this long is a stall
NEW_CONNECTIONS=150
RECOVERY_TIMEOUT_S=15
READY_TIMEOUT_S=60
HEALTH_CHECK="health_check:
  type: http
  path: /
  interval: ${INTERVAL_MS}ms
  timeout: 300ms
  rise: $RISE
  fall: $FALL
  jitter_percent: 0"

# shellcheck source=lab/checks.sh
source "$LAB_DIR/checks.sh"

cleanup() {
	trap - EXIT INT TERM
	[[ -f $LAB_RUN_DIR/streams.pid ]] && kill "$(cat "$LAB_RUN_DIR/streams.pid")" 2>/dev/null
	lab_stop "sluiced-$LB" 2>/dev/null
	lab_detach_daemon "$LB" "$CONFIG"
	lab_down
	printf 'health: lab torn down (daemon log kept in %s)\n' "$LOG"
}

backend_health() { # backend address -> its health in the status file ("up", "down", ...)
	json "$(cat "$STATUS" 2>/dev/null || echo '{}')" \
		'[b["health"] for v in s.get("vips", []) if v["name"] == "web" for b in v["backends"] if b["address"] == "'"$1"'"][0] if s.get("vips") else "none"'
}

main() {
	lab_require_root
	lab_check_built || exit 2
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	LAB_JAR=$(lab_stage_jar) || lab_die "could not copy the daemon jar"
	export LAB_JAR
	lab_up || exit 1
	lab_start_servers "$VIP_PORT" "$LB_HOST_PORT" || exit 1
	lab_write_config "$LB" "$CONFIG" "$HEALTH_CHECK"
	: >"$LOG"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 1 "$READY_TIMEOUT_S" || { tail -n 20 "$LOG"; lab_die "sluiced did not become ready"; }
	echo "health: sluiced ready with an HTTP check on every backend (interval ${INTERVAL_MS}ms, fall $FALL, rise $RISE)"

	local victim_ip streams_out="$LAB_RUN_DIR/streams.json"
	victim_ip=$(lab_v4 "$VICTIM")
	timeout $((STREAM_SECONDS + 30)) nsenter --net="/run/netns/$(lab_ns client)" "$LAB_PYTHON" "$LAB_DIR/streams.py" \
		--target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$STREAMS" --seconds "$STREAM_SECONDS" >"$streams_out" &
	local streams_pid=$!
	echo "$streams_pid" >"$LAB_RUN_DIR/streams.pid"
	sleep 2

	echo "health: stopping the server on $VICTIM ($victim_ip)"
	lab_stop "server-$VICTIM"
	sleep "$DETECT_S"

	local out
	out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$NEW_CONNECTIONS" --concurrency 4 --timeout 2)
	if [[ $(json "$out" 's["succeeded"] == '"$NEW_CONNECTIONS"' and "'"$VICTIM"'" not in s["per_backend"]') == True ]]; then
		pass "down-within-interval-x-fall+1s" "${DETECT_S}s after the stop: $NEW_CONNECTIONS/$NEW_CONNECTIONS new connections on $(json "$out" '", ".join("%s=%d" % kv for kv in sorted(s["per_backend"].items()))'), none on $VICTIM"
	else
		fail "down-within-interval-x-fall+1s" "$(json "$out" '"%d of %d ok, per backend %s, failures %s" % (s["succeeded"], s["attempted"], s["per_backend"], s["failures"])')"
	fi

	if grep -q "event=health_changed .*backend=$victim_ip from=up to=down" "$LOG"; then
		pass "down-logged" "$(grep -m1 "event=health_changed .*backend=$victim_ip from=up to=down" "$LOG" | sed 's/.*event=/event=/')"
	else
		fail "down-logged" "no health_changed ... to=down for $victim_ip in $LOG"
	fi
	local status_line
	status_line=$(lab_sluice_cli status --status-file "$STATUS" 2>&1 | grep -E "^\s+$victim_ip\s" | head -n 1)
	if [[ $(backend_health "$victim_ip") == down && $status_line == *down* ]]; then
		pass "status-shows-down" "sluice status:$(echo "$status_line" | tr -s ' ')"
	else
		fail "status-shows-down" "status file says $(backend_health "$victim_ip"); sluice status line: '$status_line'"
	fi

	wait "$streams_pid"
	rm -f "$LAB_RUN_DIR/streams.pid"
	local verdict
	verdict=$(json "$(cat "$streams_out")" '
(lambda st, v: (lambda kept: ("ok " if kept and all(x["ended"] == "open" and x["max_gap_ms"] < '"$STREAM_MAX_GAP_MS"' and x["lines"] >= '"$((STREAM_SECONDS * 10 / 2))"' for x in kept) else "bad ")
  + "%d streams on the survivors, all open, max gap %d ms, min lines %d; %d were on %s: %s" % (
      len(kept), max([x["max_gap_ms"] for x in kept] or [0]), min([x["lines"] for x in kept] or [0]),
      len([x for x in st if x["backend"] == v]), v, sorted(set(str(x["ended"]) for x in st if x["backend"] == v))))
 ([x for x in st if x["backend"] not in (v, None)]))(s["streams"], "'"$VICTIM"'")')
	if [[ $verdict == ok* ]]; then
		pass "survivors-never-moved" "${verdict#ok }"
	else
		fail "survivors-never-moved" "${verdict#bad } -- $(cat "$streams_out")"
	fi

	echo "health: starting the server on $VICTIM again"
	lab_start "$VICTIM" "server-$VICTIM" "$LAB_PYTHON" "$LAB_DIR/backend_server.py" --name "$VICTIM" --port "$VIP_PORT"
	lab_wait_listening "$VICTIM" "$VIP_PORT" || fail "restart-server" "the server on $VICTIM did not start"
	local deadline=$((SECONDS + RECOVERY_TIMEOUT_S)) back=0 waited_from=$SECONDS
	while ((SECONDS < deadline)); do
		out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count 60 --concurrency 4 --timeout 2)
		if [[ $(json "$out" 's["succeeded"] == 60 and s["per_backend"].get("'"$VICTIM"'", 0) > 0') == True ]]; then
			back=1
			break
		fi
		sleep 0.5
	done
	if ((back)) && grep -q "event=health_changed .*backend=$victim_ip from=down to=up" "$LOG"; then
		pass "back-after-rise" "$VICTIM takes new connections again $((SECONDS - waited_from))s after its server restarted: $(json "$out" '", ".join("%s=%d" % kv for kv in sorted(s["per_backend"].items()))')"
	else
		fail "back-after-rise" "$VICTIM not back within ${RECOVERY_TIMEOUT_S}s: $(json "$out" 's["per_backend"], s["failures"]')"
	fi
	if [[ $(backend_health "$victim_ip") == up ]]; then
		pass "status-shows-up" "the status file shows $VICTIM up again"
	else
		fail "status-shows-up" "status file says $(backend_health "$victim_ip")"
	fi

	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
