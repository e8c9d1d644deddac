#!/usr/bin/env bash
# The fleet in the network-namespace lab, as root: two LB hosts (lb1, lb2), each with its own
# sluiced and BIRD, announcing the VIPs over BGP to the router, which spreads them by ECMP on the
# L4 hash. Builds nothing (make -C bpf-xdp; mvn -pl lb -am package); installs bird2 if missing.
#   bgp-ecmp               both VIPs reach the router as one route over both LB hosts; 300 new
#                          connections all answered, each LB host forwarded some
#   routes-flushed         lb1's route table for BIRD flushed by hand: the router drops lb1, and
#                          sluiced puts the routes back within its 10 s re-read (measured)
#   same-tuple-either-host fixed source ports land on the same backend through lb1 alone (lb2
#                          drained) and through lb2 alone (lb1 drained), v4 and v6
#   fingerprints-agree     both hosts report the same table fingerprints (admin API); lb2 alone
#                          fed another weight reports another one for that VIP only; equal again after
#   fleet-check            `sluice fleet check` through the fleet's Consul catalog (lab/consul_catalog.py
#                          over one agent double per LB host): 0 while equal, 1 while lb2 differs
#   host-drain-under-load  long-lived streams and paced new connections run while lb1 is drained
#                          (`sluice host drain`: BGP withdraw) and then its sluiced killed: zero
#                          failed or reset connections, every stream stays on its backend, lb1
#                          forwards nothing after the withdraw
#   drain-survives-restart lb1 restarted: it stays drained (not announced) until `sluice host undrain`
#   second-chance-hosts    be2 drains on both hosts, streams run, then lb1 withdraws: the flows
#                          ECMP moves to lb2 (which never saw them) still reach be2 (second
#                          chance), new connections never do
#   crash-withdraw         kill -9 of sluiced under paced load and streams: the router drops lb1
#                          within 2 s (measured), zero failed connections, every stream survives
#                          (its flows move to lb2 and back), lb1 announces again after a restart
#   fill-crash             a crash in the middle of a slow start: be2 drained and undrained on lb1,
#                          then FILL_OFFSET_S later on lb2 (slow_start FILL_RAMP_S), so the two
#                          hosts are at different points of its ramp; 100 streams start, lb1 is
#                          killed (-9) and restarted: every stream survives its moves, the ones lb1
#                          had placed on be2 in buckets lb2 still gives to others included (lb2
#                          names be2 as their previous owner: its second-chance count for be2 grows)
#   reused-tuple-crash     100 streams on fixed source ports through lb2 alone (lb1 drained), then
#                          be1's weight 100 -> 300 on both hosts and the same ports again through
#                          both; lb1 killed (-9) and restarted: every stream survives, those that
#                          meet lb2's stale entries of the first round included (lb2 sends them to
#                          the remembered backend with the table's owner behind: its flow_moved grows)
#   hang-withdraw          lb1 restarted under a watchdog (systemd's WatchdogSec, played by
#                          lab/watchdog.py): it keeps pinging for 2 x WatchdogSec; then SIGSTOP:
#                          the watchdog kills it and the router drops lb1 (measured)
#   fleet-kv               both hosts restart with their VIPs from one document in Consul KV
#                          (consul.kv; put into each host's agent double, as a Consul cluster
#                          replicates it): same fingerprints; a weight changed in the document
#                          moves both to the same new tables and traffic is answered; lb2's agent
#                          alone fed the previous document: `sluice fleet check` flags lb2
# Everything is torn down on exit. Prints "N passed, M failed" last.
set -uo pipefail
export LAB_LB_COUNT=2
# The watchdog (systemd's WatchdogSec, played by lab/watchdog.py) runs only for the hang check:
# on a machine shared with other loads, a JVM may stall longer than that between two pings.
WATCHDOG_SEC=${WATCHDOG_SEC:-5}
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP_PORT=80
LB_HOST_PORT=8080
READY_TIMEOUT_S=90
ROUTE_TIMEOUT_S=10
STREAMS=40
STREAM_SECONDS=14
SECOND_CHANCE_STREAM_SECONDS=20
STALL_MS=1500
LOAD_CONNECTIONS=400
LOAD_INTERVAL_S=0.02
CRASH_WITHDRAW_MAX_MS=2000
FILL_RAMP_S=60
FILL_OFFSET_S=20
FILL_STREAMS=100
FILL_STREAM_SECONDS=24
REUSE_STREAMS=100
REUSE_FIRST_PORT=42001
REUSE_FIRST_SECONDS=3
REUSE_WEIGHT_BEFORE=100 # the lab config's (no weight: the default)
REUSE_WEIGHT=300
CONSUL_SERVICE=edge
SOURCE_PORTS=(41001 41002 41003 41004 41005 41006)

# shellcheck source=lab/checks.sh
source "$LAB_DIR/checks.sh"
config_of() { printf '%s/sluiced-%s.yaml' "$LAB_RUN_DIR" "$1"; }
log_of() { printf '%s/sluiced-%s.log' "$LAB_RUN_DIR" "$1"; }

cleanup() {
	trap - EXIT INT TERM
	local lb
	lab_stop streams 2>/dev/null
	lab_stop load 2>/dev/null
	for lb in "${LAB_LB_HOSTS[@]}"; do
		lab_stop "sluiced-$lb" 2>/dev/null
		lab_detach_daemon "$lb" "$(config_of "$lb")"
	done
	lab_down
	printf 'fleet: lab torn down (daemon logs kept in %s)\n' "$LAB_RUN_DIR"
}

tx_forwarded() { # lb -> packets its balancer forwarded (from the pinned maps: works with sluiced dead)
	"$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$1")" 2>/dev/null |
		"$LAB_PYTHON" -c 'import json,sys; r = json.load(sys.stdin)["reasons"]; print(r.get("TX_FORWARDED", 0) + r.get("TX_SECOND_CHANCE", 0))' 2>/dev/null || echo 0
}

# Waits (bounded) until the router's route for a VIP goes over exactly these LB hosts ("" = no route).
wait_nexthops() { # vip "lb ..." -> prints the milliseconds it took
	local vip=$1 want="" lb start deadline
	for lb in $2; do
		if [[ $vip == *:* ]]; then want+="$(lab_v6 "$lb") "; else want+="$(lab_v4 "$lb") "; fi
	done
	want=$(echo "$want" | xargs -n1 2>/dev/null | sort | xargs)
	start=$(date +%s%N)
	deadline=$((SECONDS + ROUTE_TIMEOUT_S))
	while ((SECONDS < deadline)); do
		if [[ $(lab_vip_nexthops "$vip") == "$want" ]]; then
			echo $((($(date +%s%N) - start) / 1000000))
			return 0
		fi
		sleep 0.005
	done
	echo "timeout (now: '$(lab_vip_nexthops "$vip")', want '$want')"
	return 1
}

start_daemon() { # lb [nth ready]
	lab_start_daemon "$1" "$(config_of "$1")"
	lab_wait_ready "$1" "${2:-1}" "$READY_TIMEOUT_S"
}

# The admin API straight through its socket: a CLI call starts a JVM (seconds on a loaded
# machine), too slow between the steps of a check. The CLI itself is used in drain-survives-restart.
api() { # lb METHOD PATH [BODY]
	curl -sS --fail --max-time 10 --unix-socket "$(lab_admin_socket "$1")" -X "$2" \
		-H 'Content-Type: application/json' ${4:+--data "$4"} "http://sluiced$3"
}

host() { # lb drain|undrain
	api "$1" POST "/v1/host/$2" '{}' >/dev/null
}

backend_drain() { # lb backend-address true|false
	api "$1" PATCH "/v1/vips/web/backends/$2" "{\"drain\": $3}" >/dev/null
}

start_streams() { # seconds [count [first source port]]
	timeout $(($1 + 30)) nsenter --net="/run/netns/$(lab_ns client)" "$LAB_PYTHON" "$LAB_DIR/streams.py" \
		--target "$LAB_VIP_V4" --port "$VIP_PORT" --count "${2:-$STREAMS}" --seconds "$1" \
		--first-source-port "${3:-0}" >"$LAB_RUN_DIR/streams.json" &
	lab_record_pid streams $!
	STREAMS_PID=$!
}

wait_streams() {
	wait "$STREAMS_PID"
	rm -f "$LAB_RUN_DIR/streams.pid"
}

start_load() { # count interval
	timeout "$LAB_CLIENT_TIMEOUT_S" nsenter --net="/run/netns/$(lab_ns client)" "$LAB_PYTHON" "$LAB_DIR/client.py" \
		--target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$1" --interval "$2" --concurrency 2 --timeout 2 \
		--max-seconds 60 >"$LAB_RUN_DIR/load.json" &
	lab_record_pid load $!
	LOAD_PID=$!
}

wait_load() {
	wait "$LOAD_PID"
	rm -f "$LAB_RUN_DIR/load.pid"
}

# "ok ..." when every stream stayed open, without a stall, on the backend it started on.
streams_verdict() { # json [backend that must carry some]
	json "$1" '
(lambda st: ("ok " if st and all(x["ended"] == "open" and x["backend"] and x["max_gap_ms"] < '"$STALL_MS"' for x in st)
  and ("'"${2:-}"'" == "" or any(x["backend"] == "'"${2:-}"'" for x in st)) else "bad ")
  + "%d streams, %d open to the end, longest gap %d ms, per backend %s, ends %s" % (len(st),
    sum(x["ended"] == "open" for x in st), max(x["max_gap_ms"] for x in st),
    {b: sum(x["backend"] == b for x in st) for b in sorted({str(x["backend"]) for x in st})},
    sorted({x["ended"] for x in st if x["ended"] != "open"})))(s["streams"])'
}

start_lab() {
	lab_up || { echo "lab up failed"; return 1; }
	lab_start_servers "$VIP_PORT" "$LB_HOST_PORT" || return 1
	LAB_JAR=$(lab_stage_jar) || { echo "could not stage the jar"; return 1; }
	local lb
	local nodes=()
	for lb in "${LAB_LB_HOSTS[@]}"; do
		# Each host's own Consul agent (the double), as in a real fleet; the catalog joins them.
		rm -f "$LAB_RUN_DIR/host-state-$lb.json" "$LAB_RUN_DIR/consul-$lb.json"
		lab_start "$lb" "consul-$lb" "$LAB_PYTHON" "$LAB_DIR/consul_double.py" --state "$LAB_RUN_DIR/consul-$lb.json"
		lab_wait_listening "$lb" 8500 || { echo "consul double on $lb did not start"; return 1; }
		nodes+=(--node "$(lab_ns "$lb")=/run/netns/$(lab_ns "$lb")")
		# A long quiet period: a draining backend stays DRAINING through the second-chance check.
		lab_write_config "$lb" "$(config_of "$lb")" "drain_quiet_period: 60s
consul: { service: $CONSUL_SERVICE }"
		: >"$(log_of "$lb")"
		lab_start_daemon "$lb" "$(config_of "$lb")"
	done
	for lb in "${LAB_LB_HOSTS[@]}"; do
		lab_wait_ready "$lb" 1 "$READY_TIMEOUT_S" || { tail -n 30 "$(log_of "$lb")" >&2; echo "sluiced on $lb not ready"; return 1; }
	done
	lab_start router consul-catalog "$LAB_PYTHON" "$LAB_DIR/consul_catalog.py" --listen "127.0.0.1:8500" "${nodes[@]}"
	lab_wait_listening router 8500 || { echo "the consul catalog did not start"; return 1; }
}

# `sluice fleet check` against the fleet's catalog (every host's registrations); sets fleet_out, fleet_rc.
fleet_check() {
	fleet_rc=0
	fleet_out=$(lab_in router java -cp "$LAB_JAR" io.sluice.lb.cli.SluiceCli fleet check \
		--consul http://127.0.0.1:8500 --service "$CONSUL_SERVICE" 2>&1) || fleet_rc=$?
}

# Retries (bounded) until fleet check exits with the wanted code: registrations follow a table
# change within a refresh.
fleet_check_until() { # rc
	local deadline=$((SECONDS + 20))
	while fleet_check && ((fleet_rc != $1)) && ((SECONDS < deadline)); do sleep 1; done
	((fleet_rc == $1))
}

check_bgp_ecmp() {
	local t4 t6 before1 before2 out d1 d2
	t4=$(wait_nexthops "$LAB_VIP_V4" "lb1 lb2") && t6=$(wait_nexthops "$LAB_VIP_V6" "lb1 lb2") || {
		fail "bgp-ecmp" "the router has no ECMP route over both hosts: v4 '$(lab_vip_nexthops "$LAB_VIP_V4")' v6 '$(lab_vip_nexthops "$LAB_VIP_V6")'"
		return
	}
	before1=$(tx_forwarded lb1)
	before2=$(tx_forwarded lb2)
	out=$(lab_client --target "$LAB_VIP_V4" --count 300 --concurrency 4)
	d1=$(($(tx_forwarded lb1) - before1))
	d2=$(($(tx_forwarded lb2) - before2))
	if [[ $(json "$out" 's["succeeded"] == 300') == True ]] && ((d1 > 0 && d2 > 0)); then
		pass "bgp-ecmp" "routes v4 $(lab_vip_nexthops "$LAB_VIP_V4" | tr ' ' ','), v6 $(lab_vip_nexthops "$LAB_VIP_V6" | tr ' ' ','); 300/300 answered $(json "$out" 's["per_backend"]'); packets forwarded lb1 $d1, lb2 $d2"
	else
		fail "bgp-ecmp" "$(json "$out" '"%d/%d answered, failures %s" % (s["succeeded"], s["attempted"], s["failures"])'); forwarded lb1 $d1, lb2 $d2"
	fi
}

# Someone flushes sluice's route table on lb1 behind the daemon's back: BIRD withdraws lb1, and
# sluiced, reading its table back every 10 s (Announcer.REREAD_INTERVAL), puts the routes back.
check_routes_flushed() {
	local log gone back drifts
	log=$(log_of lb1)
	lab_in lb1 ip -4 route flush table "$LAB_BGP_TABLE"
	lab_in lb1 ip -6 route flush table "$LAB_BGP_TABLE"
	gone=$(wait_nexthops "$LAB_VIP_V4" "lb2")
	back=$(ROUTE_TIMEOUT_S=25 wait_nexthops "$LAB_VIP_V4" "lb1 lb2") &&
		ROUTE_TIMEOUT_S=5 wait_nexthops "$LAB_VIP_V6" "lb1 lb2" >/dev/null
	local ok=$?
	drifts=$(grep -c 'event=bgp_route_drift' "$log")
	if ((ok == 0 && drifts >= 1)); then
		pass "routes-flushed" "lb1's table flushed: the router dropped lb1 after ${gone} ms, had it back ${back} ms later (sluiced re-read its table: $(grep -m1 -o 'event=bgp_route_drift.*' "$log"))"
	else
		fail "routes-flushed" "withdrawn: $gone; back: $back; drift events in $log: $drifts"
	fi
}

# One backend per source port through the given VIP, from 3 connections each ("port:backend ...").
backends_by_port() { # vip
	local port out result=""
	for port in "${SOURCE_PORTS[@]}"; do
		out=$(lab_client --target "$1" --count 3 --concurrency 1 --source-port "$port")
		result+="$port:$(json "$out" '",".join(sorted(set(s["sequence"]))) if s["succeeded"] == 3 else "failed"') "
	done
	echo "$result"
}

check_same_tuple_either_host() {
	local vip via1 via2 b1 b2 ok=1 detail=""
	for vip in "$LAB_VIP_V4" "$LAB_VIP_V6"; do
		host lb2 drain
		wait_nexthops "$vip" "lb1" >/dev/null || ok=0
		b1=$(tx_forwarded lb1)
		via1=$(backends_by_port "$vip")
		b1=$(($(tx_forwarded lb1) - b1))
		host lb2 undrain
		host lb1 drain
		wait_nexthops "$vip" "lb2" >/dev/null || ok=0
		b2=$(tx_forwarded lb2)
		via2=$(backends_by_port "$vip")
		b2=$(($(tx_forwarded lb2) - b2))
		host lb1 undrain
		wait_nexthops "$vip" "lb1 lb2" >/dev/null || ok=0
		detail+="$vip via lb1 only [$via1] (lb1 forwarded $b1), via lb2 only [$via2] (lb2 forwarded $b2); "
		if [[ $via1 != "$via2" || $via1 == *failed* || $via1 == *,* ]] || ((b1 == 0 || b2 == 0)); then
			ok=0
		fi
		# More than one backend among the ports: the check could tell two tables apart.
		[[ $(echo "$via1" | tr ' ' '\n' | cut -d: -f2 | sort -u | grep -c .) -ge 2 ]] || ok=0
	done
	if ((ok)); then pass "same-tuple-either-host" "$detail"; else fail "same-tuple-either-host" "$detail"; fi
}

fingerprints() { # lb -> "web=<fp> web6=<fp>" from the admin API
	api "$1" GET /v1/vips | "$LAB_PYTHON" -c 'import json,sys; print(" ".join("%s=%s" % (v["name"], v.get("table_fingerprint")) for v in sorted(json.load(sys.stdin), key=lambda v: v["name"])))'
}

# Every host fed the same config holds the same tables; one fed another weight does not.
check_fingerprints_agree() {
	local f1 f2 d1 d2 a1 a2 be3 deadline
	be3=$(lab_v4 be3)
	local agree_rc agree_out differ_rc differ_out
	f1=$(fingerprints lb1)
	f2=$(fingerprints lb2)
	fleet_check_until 0
	agree_rc=$fleet_rc agree_out=$fleet_out
	api lb2 PATCH "/v1/vips/web/backends/$be3" '{"weight": 50}' >/dev/null
	d1=$(fingerprints lb1)
	d2=$(fingerprints lb2)
	fleet_check_until 1
	differ_rc=$fleet_rc differ_out=$fleet_out
	api lb2 PATCH "/v1/vips/web/backends/$be3" '{"weight": 100}' >/dev/null
	deadline=$((SECONDS + 5))
	while a2=$(fingerprints lb2) && [[ $a2 != "$f1" ]] && ((SECONDS < deadline)); do sleep 0.2; done
	a1=$(fingerprints lb1)
	if [[ -n $f1 && $f1 == "$f2" && $f1 != *=None* && $f1 != *=none* && $d1 == "$f1" &&
		${d2%% *} != "${d1%% *}" && ${d2#* } == "${d1#* }" && $a1 == "$a2" ]]; then
		pass "fingerprints-agree" "lb1 and lb2: $f1; lb2 alone fed be3 weight 50: ${d2%% *} (lb1 ${d1%% *}); back to 100: equal again"
	else
		fail "fingerprints-agree" "before: lb1 [$f1] lb2 [$f2]; lb2 weight 50: lb1 [$d1] lb2 [$d2]; after: lb1 [$a1] lb2 [$a2]"
	fi
	fleet_check_until 0
	if ((agree_rc == 0 && differ_rc == 1 && fleet_rc == 0)) && [[ $agree_out == *"$(lab_ns lb1)"* &&
		$agree_out == *"$(lab_ns lb2)"* && $differ_out == *"$(lab_ns lb2)"* ]]; then
		pass "fleet-check" "through the fleet's Consul catalog (each host's agent): exit 0 while equal, 1 while lb2 differs, 0 again; while lb2 differed: $(echo "$differ_out" | tr '\n' ' ' | cut -c1-400)"
	else
		fail "fleet-check" "exits $agree_rc / $differ_rc / $fleet_rc (want 0 / 1 / 0); equal: $(echo "$agree_out" | tr '\n' ' ' | cut -c1-300); differing: $(echo "$differ_out" | tr '\n' ' ' | cut -c1-300)"
	fi
}

check_host_drain_under_load() {
	local streams load took after_withdraw forwarded_after verdict
	local before_drain
	before_drain=$(tx_forwarded lb1)
	start_streams "$STREAM_SECONDS"
	start_load "$LOAD_CONNECTIONS" "$LOAD_INTERVAL_S"
	sleep 3
	before_drain=$(($(tx_forwarded lb1) - before_drain))
	host lb1 drain
	took=$(wait_nexthops "$LAB_VIP_V4" "lb2")
	sleep 1
	after_withdraw=$(tx_forwarded lb1)
	lab_stop sluiced-lb1 KILL
	wait_load
	wait_streams
	forwarded_after=$(($(tx_forwarded lb1) - after_withdraw))
	streams=$(cat "$LAB_RUN_DIR/streams.json")
	load=$(cat "$LAB_RUN_DIR/load.json")
	verdict=$(streams_verdict "$streams")
	if [[ $verdict == ok* && $(json "$load" 's["failed"] == 0 and s["succeeded"] == '"$LOAD_CONNECTIONS") == True && $forwarded_after -eq 0 && $before_drain -gt 0 && $took =~ ^[0-9]+$ ]]; then
		pass "host-drain-under-load" "lb1 forwarded $before_drain packets of the load before the drain; withdrawn at the router ${took} ms after it; ${verdict#ok }; new connections $(json "$load" '"%d/%d answered %s" % (s["succeeded"], s["attempted"], s["per_backend"])'); lb1 forwarded $forwarded_after packets after the withdraw (then killed)"
	else
		fail "host-drain-under-load" "lb1 forwarded $before_drain before the drain; withdraw: $took; ${verdict#* }; new connections $(json "$load" '"%d/%d, failures %s" % (s["succeeded"], s["attempted"], s["failures"])'); lb1 forwarded $forwarded_after after the withdraw"
	fi
}

check_drain_survives_restart() {
	local kept undrained
	start_daemon lb1 2 || { fail "drain-survives-restart" "sluiced on lb1 did not restart"; return; }
	sleep 1
	kept=$(lab_vip_nexthops "$LAB_VIP_V4")
	lab_sluice lb1 host show | sed 's/^/      /'
	lab_sluice lb1 host undrain >/dev/null
	undrained=$(wait_nexthops "$LAB_VIP_V4" "lb1 lb2")
	if [[ $kept == "$(lab_v4 lb2)" && $undrained =~ ^[0-9]+$ ]] &&
		grep -q 'event=bgp_ready .* host_drained=true' "$(log_of lb1)"; then
		pass "drain-survives-restart" "restarted drained (router: $kept only), undrain announced again in ${undrained} ms"
	else
		fail "drain-survives-restart" "after restart the router had '$kept'; undrain: $undrained; $(grep event=bgp_ready "$(log_of lb1)" | tail -n 1)"
	fi
}

check_second_chance_across_hosts() {
	local be2 lb streams verdict load before after
	be2=$(lab_v4 be2)
	start_streams "$SECOND_CHANCE_STREAM_SECONDS"
	sleep 2
	for lb in lb1 lb2; do
		backend_drain "$lb" "$be2" true || { fail "second-chance-hosts" "backend drain on $lb failed"; wait_streams; return; }
	done
	sleep 1
	before=$("$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir lb2)" | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["reasons"].get("TX_SECOND_CHANCE", 0))')
	host lb1 drain
	wait_nexthops "$LAB_VIP_V4" "lb2" >/dev/null
	load=$(lab_client --target "$LAB_VIP_V4" --count 150 --concurrency 4)
	wait_streams
	after=$("$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir lb2)" | "$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["reasons"].get("TX_SECOND_CHANCE", 0))')
	streams=$(cat "$LAB_RUN_DIR/streams.json")
	verdict=$(streams_verdict "$streams" be2)
	if [[ $verdict == ok* && $(json "$load" 's["succeeded"] == 150 and "be2" not in s["per_backend"]') == True && $after -gt $before ]]; then
		pass "second-chance-hosts" "${verdict#ok }; lb2 second-chance packets $before -> $after; 150 new connections $(json "$load" 's["per_backend"]'), none on be2"
	else
		fail "second-chance-hosts" "${verdict#* }; lb2 second-chance packets $before -> $after; new $(json "$load" '"%d/%d %s %s" % (s["succeeded"], s["attempted"], s["per_backend"], s["failures"])')"
	fi
	for lb in lb1 lb2; do
		backend_drain "$lb" "$be2" false
	done
	host lb1 undrain
	wait_nexthops "$LAB_VIP_V4" "lb1 lb2" >/dev/null
}

check_crash_withdraw() {
	local pid start took load back streams verdict
	lab_running sluiced-lb1 && wait_nexthops "$LAB_VIP_V4" "lb1 lb2" >/dev/null ||
		{ fail "crash-withdraw" "precondition: lb1 running and announced (router: $(lab_vip_nexthops "$LAB_VIP_V4"))"; return; }
	# A crash in the middle of a slow start is fill-crash (the check before undrains be2): here
	# the two hosts' tables are equal.
	lab_wait_fills_done web 30 lb1 lb2 ||
		{ fail "crash-withdraw" "precondition: no backend of web still in slow start on lb1 and lb2 after 30 s"; return; }
	start_streams "$STREAM_SECONDS"
	start_load 300 0.03
	sleep 2
	pid=$(lab_pid sluiced-lb1)
	start=$(date +%s%N)
	kill -KILL "$pid"
	took=$(wait_nexthops "$LAB_VIP_V4" "lb2") && took=$(( ($(date +%s%N) - start) / 1000000 ))
	start_daemon lb1 "$(($(grep -c 'event=ready' "$(log_of lb1)") + 1))"
	back=$(wait_nexthops "$LAB_VIP_V4" "lb1 lb2")
	wait_load
	wait_streams
	load=$(cat "$LAB_RUN_DIR/load.json")
	streams=$(cat "$LAB_RUN_DIR/streams.json")
	verdict=$(streams_verdict "$streams")
	if [[ $took =~ ^[0-9]+$ ]] && ((took <= CRASH_WITHDRAW_MAX_MS)) && [[ $back =~ ^[0-9]+$ && $verdict == ok* &&
		$(json "$load" 's["failed"] == 0') == True ]]; then
		pass "crash-withdraw" "kill -9 -> router dropped lb1 in ${took} ms; restarted and announced again (flows move back through lb1); load $(json "$load" '"%d/%d answered" % (s["succeeded"], s["attempted"])'); ${verdict#ok }"
	else
		fail "crash-withdraw" "withdraw: $took ms (max $CRASH_WITHDRAW_MAX_MS); back: $back; load $(json "$load" '"%d/%d, failures %s" % (s["succeeded"], s["attempted"], s["failures"])'); ${verdict#* }"
	fi
}

reason_count_of() { # lb reason -> that host's count of it (from the pinned maps: works with sluiced dead)
	"$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$1")" 2>/dev/null |
		"$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["reasons"].get(sys.argv[1], 0))' "$2" 2>/dev/null || echo 0
}

second_chance_named() { # lb backend-address -> packets lb sent naming it as previous owner
	"$LAB_PYTHON" "$LAB_DIR/counters.py" --json "$(lab_pin_dir "$1")" 2>/dev/null |
		"$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["backends"].get(sys.argv[1], {}).get("second_chance", 0))' "$2" 2>/dev/null || echo 0
}

slow_start() { # lb seconds: sets slow_start on its VIPs (0: removes it), reloads, checks web has it
	local file
	file=$(config_of "$1")
	# The API checks before have the daemon rewrite the file, in its own indentation: keep it.
	sed -i '/^ *slow_start: /d' "$file"
	(($2)) && sed -i "s/^\( *\)table_size: .*$/&\n\1slow_start: $2s/" "$file"
	api "$1" POST /v1/config/reload '{}' >/dev/null &&
		[[ $(json "$(api "$1" GET /v1/vips/web)" 's["slow_start"]') == "$(($2 * 1000))ms" ]]
}

# ECMP moves the flows of a crashed LB host to the others. In the middle of a slow start the
# hosts are at different points of the ramp (each began it when it saw the backend return), so
# their tables differ in the buckets the ramp hands over between those points: the host behind
# must send such a bucket's flows on towards the returning backend (docs/drain.md, "Slow start
# across LB hosts").
check_fill_crash() {
	local be2 lb sc_before sc_after took back streams verdict fill_lb1 fill_lb2
	be2=$(lab_v4 be2)
	lab_running sluiced-lb1 && wait_nexthops "$LAB_VIP_V4" "lb1 lb2" >/dev/null &&
		lab_wait_fills_done web 30 lb1 lb2 ||
		{ fail "fill-crash" "precondition: lb1 running and announced, no backend of web filling"; return; }
	for lb in lb1 lb2; do
		slow_start "$lb" "$FILL_RAMP_S" && backend_drain "$lb" "$be2" true ||
			{ fail "fill-crash" "slow_start or drain on $lb failed"; return; }
	done
	# The checks before ran new connections through lb2 alone (lb1 drained or dead): lb2's flow
	# cache remembers 5-tuples that ECMP gives lb1, on the backends of the tables then. A stream
	# that reuses one and moves to lb2 would meet that stale entry rather than the ramp (docs/drain.md,
	# Limits, "Stale entries on another LB host"). Forget them, so the check measures the ramp alone.
	timeout 60 nsenter --net="/run/netns/$(lab_ns lb2)" java -jar "$LAB_JAR" --config "$(config_of lb2)" \
		--flush-flows 2>>"$(log_of lb2)" | grep -q '^flushed' || { fail "fill-crash" "flushing lb2's flow cache failed"; return; }
	backend_drain lb1 "$be2" false
	sleep "$FILL_OFFSET_S"
	backend_drain lb2 "$be2" false
	fill_lb1=$(grep "event=drain_state vip=$LAB_VIP_V4:80/tcp backend=$be2 .*to=filling" "$(log_of lb1)" | tail -n 1 | cut -c1-24)
	fill_lb2=$(grep "event=drain_state vip=$LAB_VIP_V4:80/tcp backend=$be2 .*to=filling" "$(log_of lb2)" | tail -n 1 | cut -c1-24)
	sleep 2
	sc_before=$(second_chance_named lb2 "$be2")
	start_streams "$FILL_STREAM_SECONDS" "$FILL_STREAMS"
	sleep 4
	kill -KILL "$(lab_pid sluiced-lb1)"
	took=$(wait_nexthops "$LAB_VIP_V4" "lb2")
	sleep 4 # the streams lb1 carried run through lb2
	sc_after=$(second_chance_named lb2 "$be2")
	start_daemon lb1 "$(($(grep -c 'event=ready' "$(log_of lb1)") + 1))"
	back=$(wait_nexthops "$LAB_VIP_V4" "lb1 lb2")
	wait_streams
	streams=$(cat "$LAB_RUN_DIR/streams.json")
	verdict=$(streams_verdict "$streams" be2)
	for lb in lb1 lb2; do slow_start "$lb" 0; done
	if [[ $verdict == ok* && $took =~ ^[0-9]+$ && $back =~ ^[0-9]+$ ]] && ((sc_after > sc_before)); then
		pass "fill-crash" "be2's fill began on lb1 at ${fill_lb1:-?}, on lb2 at ${fill_lb2:-?} (slow_start ${FILL_RAMP_S}s); lb1 killed, withdrawn in ${took} ms, back in ${back} ms; ${verdict#ok }; lb2 sent $((sc_after - sc_before)) packets naming be2 as previous owner while lb1 was down"
	else
		fail "fill-crash" "fills: lb1 ${fill_lb1:-?}, lb2 ${fill_lb2:-?}; withdraw: $took; back: $back; ${verdict#* }; lb2's second chance to be2: $sc_before -> $sc_after"
	fi
}

# A client reuses its ports. Connections made while lb1 is drained run through lb2, which remembers
# their 5-tuples on the table of that time. Then the table changes on both hosts (a weight), and the
# same ports connect again through both: the SYNs ECMP gives lb1 follow the new table there. lb1
# crashes, and lb2's stale entries meet those connections. lb2 sends such a packet to the
# remembered backend with the table's owner as second chance, which has the connection
# (docs/drain.md, "Stale entries on another LB host"); before ABI 11 the remembered backend reset it.
reuse_weight() { # weight: be1's on both hosts
	local lb
	for lb in lb1 lb2; do
		api "$lb" PATCH "/v1/vips/web/backends/$(lab_v4 be1)" "{\"weight\": $1}" >/dev/null
	done
}

check_reused_tuple_crash() {
	local fp first second verdict moved_before moved_after took back
	lab_running sluiced-lb1 && wait_nexthops "$LAB_VIP_V4" "lb1 lb2" >/dev/null &&
		lab_wait_fills_done web 30 lb1 lb2 ||
		{ fail "reused-tuple-crash" "precondition: lb1 running and announced, no backend of web filling"; return; }
	fp=$(fingerprints lb1)
	host lb1 drain
	wait_nexthops "$LAB_VIP_V4" "lb2" >/dev/null || { host lb1 undrain; fail "reused-tuple-crash" "lb1 not withdrawn"; return; }
	start_streams "$REUSE_FIRST_SECONDS" "$REUSE_STREAMS" "$REUSE_FIRST_PORT"
	wait_streams
	first=$(streams_verdict "$(cat "$LAB_RUN_DIR/streams.json")")
	host lb1 undrain
	wait_nexthops "$LAB_VIP_V4" "lb1 lb2" >/dev/null || { fail "reused-tuple-crash" "lb1 not announced again"; return; }
	reuse_weight "$REUSE_WEIGHT"
	wait_fingerprints_equal "$fp" >/dev/null || {
		reuse_weight "$REUSE_WEIGHT_BEFORE" # the next checks start from the lab's config, as after a pass
		fail "reused-tuple-crash" "the hosts' tables did not agree on the new weight"
		return
	}
	moved_before=$(reason_count_of lb2 FLOW_MOVED)
	start_streams "$FILL_STREAM_SECONDS" "$REUSE_STREAMS" "$REUSE_FIRST_PORT"
	sleep 4
	kill -KILL "$(lab_pid sluiced-lb1)"
	took=$(wait_nexthops "$LAB_VIP_V4" "lb2")
	sleep 4 # the streams lb1 carried run through lb2
	moved_after=$(reason_count_of lb2 FLOW_MOVED)
	start_daemon lb1 "$(($(grep -c 'event=ready' "$(log_of lb1)") + 1))"
	back=$(wait_nexthops "$LAB_VIP_V4" "lb1 lb2")
	wait_streams
	second=$(cat "$LAB_RUN_DIR/streams.json")
	verdict=$(streams_verdict "$second")
	reuse_weight "$REUSE_WEIGHT_BEFORE"
	if [[ $first == ok* && $verdict == ok* && $took =~ ^[0-9]+$ && $back =~ ^[0-9]+$ ]] && ((moved_after > moved_before)); then
		pass "reused-tuple-crash" "first through lb2 alone: ${first#ok }; be1 weight $REUSE_WEIGHT_BEFORE -> $REUSE_WEIGHT on both; the same ports again, lb1 killed, withdrawn in ${took} ms, back in ${back} ms: ${verdict#ok }; lb2 sent $((moved_after - moved_before)) packets of moved buckets to the remembered backend with the table's owner behind"
	else
		fail "reused-tuple-crash" "first: ${first#* }; withdraw: $took; back: $back; then: ${verdict#* }; lb2's flow_moved: $moved_before -> $moved_after"
	fi
}

check_hang_withdraw() {
	local pid start took fired
	lab_stop sluiced-lb1 # a clean stop: withdraws, then the restart under the watchdog announces again
	LAB_WATCHDOG_SEC=$WATCHDOG_SEC start_daemon lb1 "$(($(grep -c 'event=ready' "$(log_of lb1)") + 1))" &&
		wait_nexthops "$LAB_VIP_V4" "lb1 lb2" >/dev/null ||
		{ fail "hang-withdraw" "precondition: lb1 restarted and announced (router: $(lab_vip_nexthops "$LAB_VIP_V4"))"; return; }
	pid=$(lab_pid sluiced-lb1)
	sleep $((2 * WATCHDOG_SEC)) # armed, and the pings keep it alive
	if ! kill -0 "$pid" 2>/dev/null; then
		fail "hang-withdraw" "the watchdog killed a running daemon: $(tail -n 1 "$LAB_RUN_DIR/watchdog-lb1.log")"
		return
	fi
	start=$(date +%s%N)
	kill -STOP "$pid"
	local dropped_at after_fire
	took=$(ROUTE_TIMEOUT_S=$((WATCHDOG_SEC + 10)) wait_nexthops "$LAB_VIP_V4" "lb2") && dropped_at=$(date +%s%N) &&
		took=$(( (dropped_at - start) / 1000000 ))
	fired=$(grep watchdog_fired "$LAB_RUN_DIR/watchdog-lb1.log" | grep "\"pid\": $pid," | tail -n 1)
	# From the watchdog's SIGKILL to the route's end: the crash part of the hang's withdrawal.
	after_fire=$([[ -n $fired && -n ${dropped_at:-} ]] && json "$fired" "int(${dropped_at} / 1e6 - s['wall_time'] * 1000)")
	if [[ $took =~ ^[0-9]+$ && -n $fired ]] && ! kill -0 "$pid" 2>/dev/null; then
		pass "hang-withdraw" "pinged for $((2 * WATCHDOG_SEC))s; SIGSTOP -> watchdog (${WATCHDOG_SEC}s) killed sluiced -> router dropped lb1 ${took} ms after the hang began, ${after_fire} ms after the kill; $fired"
	else
		fail "hang-withdraw" "withdraw: $took; watchdog: ${fired:-never fired}"
		kill -CONT "$pid" 2>/dev/null
	fi
}

# FLEET_CHECKS=... runs a subset (in this order; each check starts from whatever the previous left).
FLEET_CHECKS=${FLEET_CHECKS:-bgp_ecmp routes_flushed same_tuple_either_host fingerprints_agree host_drain_under_load
	drain_survives_restart second_chance_across_hosts crash_withdraw fill_crash reused_tuple_crash hang_withdraw fleet_kv}
KV_PREFIX=fleets/lab
kv_config_of() { printf '%s/sluiced-%s-kv.yaml' "$LAB_RUN_DIR" "$1"; }

kv_put() { # lb document-file: the fleet's document into that host's Consul agent (the double)
	[[ $(lab_consul "$1" PUT "/v1/kv/$KV_PREFIX/config" "@$2") == true ]]
}

# Waits (bounded) until both hosts report the same fingerprints, other than $1 and not none.
wait_fingerprints_equal() { # fingerprints-to-leave
	local deadline=$((SECONDS + 20)) f1 f2
	while ((SECONDS < deadline)); do
		f1=$(fingerprints lb1) f2=$(fingerprints lb2)
		if [[ -n $f1 && $f1 == "$f2" && $f1 != "$1" && $f1 != *=None* && $f1 != *=none* ]]; then
			echo "$f1"
			return 0
		fi
		sleep 0.5
	done
	echo "lb1 [$f1] lb2 [$f2]"
	return 1
}

check_fleet_kv() {
	local lb doc_a doc_b a b stale out ok=1 detail
	local -A ready_before
	doc_a=$LAB_RUN_DIR/fleet-document-a.yaml
	doc_b=$LAB_RUN_DIR/fleet-document-b.yaml
	# Each host's config as start_lab wrote it (the API checks above rewrote the files): its vips
	# section is the document; the host file keeps the rest and names the KV prefix.
	for lb in lb1 lb2; do
		lab_write_config "$lb" "$(kv_config_of "$lb").full" "drain_quiet_period: 60s
consul: { service: $CONSUL_SERVICE }"
	done
	sed -n '/^vips:/,$p' "$(kv_config_of lb1).full" >"$doc_a"
	sed "s|{ address: \"$(lab_v4 be3)\" }|{ address: \"$(lab_v4 be3)\", weight: 50 }|" "$doc_a" >"$doc_b"
	cmp -s "$doc_a" "$doc_b" && { fail "fleet-kv" "could not derive the second document"; return; }
	for lb in lb1 lb2; do
		lab_stop "sluiced-$lb" 2>/dev/null
		kv_put "$lb" "$doc_a" || { fail "fleet-kv" "PUT into $lb's agent failed"; return; }
		{
			sed '/^vips:/,$d' "$(kv_config_of "$lb").full"
			echo "consul: { kv: { prefix: $KV_PREFIX, cache_file: $LAB_RUN_DIR/kv-cache-$lb.yaml } }"
		} >"$(kv_config_of "$lb")"
		ready_before[$lb]=$(grep -c 'event=ready' "$(log_of "$lb")")
		lab_start_daemon "$lb" "$(kv_config_of "$lb")"
	done
	for lb in lb1 lb2; do
		lab_wait_ready "$lb" "$((ready_before[$lb] + 1))" "$READY_TIMEOUT_S" &&
			grep -q "event=consul_kv_applied key=$KV_PREFIX/config" "$(log_of "$lb")" ||
			{ fail "fleet-kv" "sluiced on $lb did not start on the KV document: $(grep -m1 'consul_kv\|shared_config' "$(log_of "$lb")")"; return; }
	done
	a=$(wait_fingerprints_equal "") || ok=0
	fleet_check_until 0 || ok=0
	detail="document A: both $a (fleet check $fleet_rc)"
	for lb in lb1 lb2; do kv_put "$lb" "$doc_b"; done
	b=$(wait_fingerprints_equal "$a") || ok=0
	fleet_check_until 0 || ok=0
	out=$(lab_client --target "$LAB_VIP_V4" --count 100 --concurrency 4)
	[[ $(json "$out" 's["succeeded"] == 100') == True ]] || ok=0
	detail+="; document B (be3 weight 50): both $b (fleet check $fleet_rc), 100 connections $(json "$out" '"%d/%d %s" % (s["succeeded"], s["attempted"], s["per_backend"])')"
	kv_put lb2 "$doc_a"
	fleet_check_until 1 || ok=0
	stale=$(fingerprints lb2)
	[[ $stale == "$a" && $fleet_out == *"$(lab_ns lb2)"* ]] || ok=0
	detail+="; lb2 alone back on A ($stale): fleet check $fleet_rc: $(echo "$fleet_out" | tr '\n' ' ' | cut -c1-300)"
	if ((ok)) && [[ $a != "$b" ]]; then pass "fleet-kv" "$detail"; else fail "fleet-kv" "$detail"; fi
}

main() {
	lab_require_root
	lab_check_built || exit 2
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	start_lab || { fail "lab" "could not start the fleet"; printf '%d passed, %d failed\n' "$passed" "$failed"; exit 1; }
	local check
	for check in $FLEET_CHECKS; do
		"check_$check"
	done
	printf '%d passed, %d failed\n' "$passed" "$failed"
	((failed == 0))
}

main "$@"
