#!/usr/bin/env bash
# Consul in the lab, as root: a Consul agent double (lab/consul_double.py, the agent's HTTP API
# on 127.0.0.1:8500 inside the LB host's namespace) holds the backend instances; sluiced takes
# the VIP's backends from it and registers the VIP in it.
#   - traffic to the VIP reaches exactly the instances Consul lists (be1, be2; not be3);
#   - be3 registered in Consul: the blocking query sees it and new connections reach it;
#   - the VIP is registered with its TTL check passing;
#   - be1 put in maintenance: sluiced logs it as draining (drain's data-plane effect comes with
#     the drain work: not asserted here);
#   - the agent stopped: sluiced logs consul_unreachable and traffic still reaches the last
#     known backends; the agent back: sluiced recovers;
#   - SIGTERM: the VIP is deregistered;
#   - sluiced restarted while the agent is down: the last discovered backends come back from
#     the cache, the adopted table is left as it was, traffic flows;
#   - the program detached (sluiced --detach) under the running daemon: the TTL check goes critical;
#   - a reload that drops the VIP's registration deregisters it;
#   - the registration's table_fingerprint meta is the status file's fingerprint, and
#     `sluice fleet check` agrees with a second host registering the same fingerprint (exit 0)
#     and names a third that registers another one (exit 1). The other hosts are registrations
#     made through the agent's API: two daemons on one agent double would share a service ID.
# Expects the build (jar, objects) like e2e-test.sh. Prints "N passed, M failed" last.
set -uo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log"
AGENT_STATE="$LAB_RUN_DIR/consul-double-state.json"
AGENT="http://127.0.0.1:8500"
VIP_PORT=80
LB_HOST_PORT=8080
CONNECTIONS=120
READY_TIMEOUT_S=60
EVENT_TIMEOUT_S=15

# shellcheck source=lab/checks.sh
source "$LAB_DIR/checks.sh"

cleanup() {
	trap - EXIT INT TERM
	lab_stop "sluiced-$LB" 2>/dev/null
	lab_stop consul-double 2>/dev/null
	lab_detach_daemon "$LB" "$CONFIG"
	lab_down
	printf 'consul: lab torn down (daemon log kept in %s)\n' "$LOG"
}

agent() { lab_consul "$LB" "$@"; } # METHOD PATH [BODY]

register_backend() { # be -> an instance of service "web" at its address, with a passing TTL check
	agent PUT /v1/agent/service/register "{\"ID\": \"web-$1\", \"Name\": \"web\", \"Address\": \"$(lab_v4 "$1")\",
		\"Port\": $VIP_PORT, \"Check\": {\"CheckID\": \"web-$1-ttl\", \"TTL\": \"1h\", \"Status\": \"passing\"}}" >/dev/null
}

wait_log() { # count pattern: wait (bounded) until the log has at least count lines matching
	local n=$1 pattern=$2 deadline=$((SECONDS + EVENT_TIMEOUT_S))
	while ((SECONDS < deadline)); do
		(($(grep -c -- "$pattern" "$LOG" 2>/dev/null || true) >= n)) && return 0
		sleep 0.2
	done
	return 1
}

write_config() {
	cat >"$CONFIG" <<-EOF
	# written by lab/consul-test.sh for $(lab_ns "$LB")
	interface: eth0
	pin_dir: $(lab_pin_dir "$LB")
	xdp_mode: native
	gateway_mac: "$(lab_mac router br0)"
	mtu: $LAB_FABRIC_MTU
	encap: { source_v4: $LAB_ENCAP_SRC_V4, source_v6: "$LAB_ENCAP_SRC_V6" }
	status_file: $LAB_RUN_DIR/status-$LB.json
	metrics: { listen: "off" }
	admin: { socket: $(lab_admin_socket "$LB") }
	consul: { address: "$AGENT", ttl: 3s, retry_min: 200ms, retry_max: 1s, wait: 1m,
	          cache_file: $LAB_RUN_DIR/consul-discovered.json }
	vips:
	  - name: web
	    address: "$LAB_VIP_V4"
	    port: $VIP_PORT
	    table_size: 65537
	    consul: { service: sluice-lab-web, tags: [lab] }
	    backends: { consul: { service: web } }
	EOF
}

fleet_check() { # the CLI inside the LB namespace (the agent double listens on its loopback)
	lab_in "$LB" java -cp "$(lab_jar)" io.sluice.lb.cli.SluiceCli fleet check --consul "$AGENT" --service sluice-lab-web "$@"
}

register_other_lb() { # host fingerprint: another LB host's registration of VIP web, meta as sluiced sets it
	agent PUT /v1/agent/service/register "{\"ID\": \"sluice-web@$1\", \"Name\": \"sluice-lab-web\",
		\"Address\": \"$LAB_VIP_V4\", \"Port\": $VIP_PORT, \"Meta\": {\"lb_host\": \"$1\", \"sluice_vip\": \"web\",
		\"table_fingerprint\": \"$2\"}, \"Check\": {\"CheckID\": \"sluice-web@$1-dataplane\", \"TTL\": \"1h\",
		\"Status\": \"passing\"}}" >/dev/null
}

meta_fingerprint() { json "$(agent GET /v1/agent/services)" 's.get("sluice-web", {}).get("Meta", {}).get("table_fingerprint")'; }

# lab-lb2 registers the host's current fingerprint, then `sluice fleet check`; retried (bounded)
# because the real host's table may move in between (be1 filling again after its maintenance).
# Sets fleet_out, fleet_rc, fleet_fp. $1: 0 = expect agreement, 1 = lab-lb3 registers another table.
fleet_round() {
	local deadline=$((SECONDS + EVENT_TIMEOUT_S))
	while :; do
		fleet_fp=$(meta_fingerprint)
		register_other_lb lab-lb2 "$fleet_fp"
		((${1} == 1)) && register_other_lb lab-lb3 0123456789abcdef
		fleet_out=$(fleet_check 2>&1)
		fleet_rc=$?
		if ((${1} == 0)); then
			((fleet_rc == 0)) && [[ $fleet_out == *"all 2 hosts agree on $fleet_fp"* ]] && return 0
		else
			((fleet_rc == 1)) && [[ $fleet_out == *"1 of 3 hosts differ from the majority $fleet_fp: lab-lb3"* ]] && return 0
		fi
		((SECONDS < deadline)) || return 1
		sleep 1
	done
}

fleet_fingerprints() {
	local status_fp meta_fp="" deadline=$((SECONDS + EVENT_TIMEOUT_S))
	while ((SECONDS < deadline)); do
		status_fp=$(json "$(cat "$LAB_RUN_DIR/status-$LB.json")" '[v for v in s["vips"] if v["name"] == "web"][0]["table_fingerprint"]')
		meta_fp=$(meta_fingerprint)
		[[ $meta_fp == "$status_fp" ]] && break
		sleep 0.3
	done
	if [[ $status_fp =~ ^[0-9a-f]{16}$ && $meta_fp == "$status_fp" ]]; then
		pass "fingerprint-in-meta" "status file and Consul meta both hold $status_fp"
	else
		fail "fingerprint-in-meta" "status file: $status_fp, Consul meta: $meta_fp"
		return
	fi
	if fleet_round 0; then
		pass "fleet-check-agrees" "$(tail -n 1 <<<"$fleet_out")"
	else
		fail "fleet-check-agrees" "exit $fleet_rc: $fleet_out"
	fi
	if fleet_round 1; then
		pass "fleet-check-disagrees" "$(tail -n 1 <<<"$fleet_out")"
	else
		fail "fleet-check-disagrees" "exit $fleet_rc: $fleet_out"
	fi
	agent PUT /v1/agent/service/deregister/sluice-web@lab-lb2 >/dev/null
	agent PUT /v1/agent/service/deregister/sluice-web@lab-lb3 >/dev/null
}

per_backend() { json "$1" '", ".join("%s=%d" % kv for kv in sorted(s["per_backend"].items()))'; }

main() {
	lab_require_root
	lab_check_built || exit 2
	command -v curl >/dev/null || lab_die "curl is needed"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	LAB_JAR=$(lab_stage_jar) || lab_die "could not copy the daemon jar"
	export LAB_JAR
	lab_up || exit 1
	lab_start_servers "$VIP_PORT" "$LB_HOST_PORT" || exit 1
	rm -f "$AGENT_STATE" "$LAB_RUN_DIR/consul-discovered.json"
	lab_start "$LB" consul-double "$LAB_PYTHON" "$LAB_DIR/consul_double.py" --port 8500 --state "$AGENT_STATE"
	lab_wait_listening "$LB" 8500 || lab_die "the Consul double did not start"
	register_backend be1
	register_backend be2

	write_config
	: >"$LOG"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 1 "$READY_TIMEOUT_S" || { tail -n 20 "$LOG"; lab_die "sluiced did not become ready"; }
	wait_log 1 "event=consul_backends_changed vip=web service=web backends=2" && wait_log 1 "event=reconciled cause=consul" \
		|| fail "discovered" "no consul_backends_changed backends=2 and its reconcile in $LOG"

	local out
	out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 4 --timeout 2)
	if [[ $(json "$out" 's["succeeded"] == '"$CONNECTIONS"' and set(s["per_backend"]) == {"be1", "be2"}') == True ]]; then
		pass "traffic-to-discovered" "$CONNECTIONS/$CONNECTIONS connections on the instances Consul lists: $(per_backend "$out")"
	else
		fail "traffic-to-discovered" "$(json "$out" '"%d of %d ok, per backend %s, failures %s" % (s["succeeded"], s["attempted"], s["per_backend"], s["failures"])')"
	fi

	local checks
	checks=$(agent GET /v1/agent/checks)
	if [[ $(json "$checks" 's.get("sluice-web-dataplane", {}).get("Status")') == passing ]]; then
		pass "registered-ttl-passing" "sluice-web-dataplane: $(json "$checks" 's["sluice-web-dataplane"]["Output"]')"
	else
		fail "registered-ttl-passing" "agent checks: $checks"
	fi

	register_backend be3
	# The reconcile that follows the event swaps the table: send the new connections after it.
	if wait_log 1 "event=consul_backends_changed vip=web service=web backends=3" \
		&& wait_log 2 "event=reconciled cause=consul"; then
		out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 4 --timeout 2)
		if [[ $(json "$out" 's["succeeded"] == '"$CONNECTIONS"' and s["per_backend"].get("be3", 0) > 0') == True ]]; then
			pass "change-applied" "be3 added in Consul, seen through the blocking query: $(per_backend "$out")"
		else
			fail "change-applied" "$(json "$out" '"%d ok, per backend %s, failures %s" % (s["succeeded"], s["per_backend"], s["failures"])')"
		fi
	else
		fail "change-applied" "no consul_backends_changed backends=3 in $LOG"
	fi

	agent PUT "/v1/agent/service/maintenance/web-be1?enable=true&reason=lab" >/dev/null
	if wait_log 1 "event=consul_backends_changed vip=web service=web backends=3 draining=1"; then
		pass "maintenance-drains" "$(grep -m1 'draining=1' "$LOG" | sed 's/.*event=/event=/')"
	else
		fail "maintenance-drains" "no consul_backends_changed ... draining=1 in $LOG"
	fi
	agent PUT "/v1/agent/service/maintenance/web-be1?enable=false" >/dev/null
	wait_log 2 "event=consul_backends_changed vip=web service=web backends=3 draining=0" || true

	lab_stop consul-double
	if wait_log 1 "event=consul_unreachable op=health vip=web"; then
		out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 4 --timeout 2)
		if [[ $(json "$out" 's["succeeded"] == '"$CONNECTIONS"' and len(s["per_backend"]) == 3') == True ]]; then
			pass "outage-keeps-backends" "agent down, $(grep -c 'event=consul_unreachable' "$LOG") failures logged; traffic still on the last known backends: $(per_backend "$out")"
		else
			fail "outage-keeps-backends" "$(json "$out" '"%d ok, per backend %s" % (s["succeeded"], s["per_backend"])')"
		fi
	else
		fail "outage-keeps-backends" "no consul_unreachable in $LOG"
	fi
	lab_start "$LB" consul-double "$LAB_PYTHON" "$LAB_DIR/consul_double.py" --port 8500 --state "$AGENT_STATE"
	lab_wait_listening "$LB" 8500 || lab_die "the Consul double did not restart"
	if wait_log 1 "event=consul_recovered op=health vip=web"; then
		pass "recovered" "$(grep -m1 'event=consul_recovered' "$LOG" | sed 's/.*event=/event=/')"
	else
		fail "recovered" "no consul_recovered in $LOG"
	fi

	fleet_fingerprints

	# The restart below must find the table this daemon leaves: no backend still in slow start.
	# If they do not settle, that is restart-with-agent-down's only verdict: the restart below still
	# happens (the checks after it share the daemon) but is not judged, so the check never reports twice.
	local settled=1
	if ! lab_wait_fills_done web 30 "$LB"; then
		settled=0
		fail "restart-with-agent-down" "precondition: no backend of web still in slow start after 30 s"
	fi
	lab_stop "sluiced-$LB"
	local services
	services=$(agent GET /v1/agent/services)
	if grep -q "event=consul_deregistered vip=web" "$LOG" && [[ $(json "$services" '"sluice-web" in s') == False ]]; then
		pass "deregistered-on-stop" "after SIGTERM the agent lists: $(json "$services" '", ".join(sorted(s))')"
	else
		fail "deregistered-on-stop" "agent services: $services"
	fi

	# A restart while the agent is down starts from the last discovered set: no VIP is emptied.
	lab_stop consul-double
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 2 "$READY_TIMEOUT_S" || { tail -n 20 "$LOG"; lab_die "sluiced did not restart"; }
	if ((settled)); then
		out=$(lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 4 --timeout 2)
		local startup
		startup=$(grep 'event=reconciled cause=startup' "$LOG" | tail -n 1)
		if grep -q "event=consul_backends_restored vip=web service=web backends=3" "$LOG" \
			&& [[ $startup == *tables_swapped=0* ]] \
			&& [[ $(json "$out" 's["succeeded"] == '"$CONNECTIONS"' and len(s["per_backend"]) == 3') == True ]]; then
			pass "restart-with-agent-down" "backends restored from the cache, the adopted table left as it was (tables_swapped=0), traffic: $(per_backend "$out")"
		else
			fail "restart-with-agent-down" "startup: ${startup#*event=}; traffic: $(json "$out" '"%d ok, per backend %s" % (s["succeeded"], s["per_backend"])')"
		fi
	fi

	# The agent back; a reload that drops the VIP's registration deregisters it.
	lab_start "$LB" consul-double "$LAB_PYTHON" "$LAB_DIR/consul_double.py" --port 8500 --state "$AGENT_STATE"
	lab_wait_listening "$LB" 8500 || lab_die "the Consul double did not restart"
	local registrations
	registrations=$(grep -c 'event=consul_registered vip=web' "$LOG")
	wait_log "$((registrations + 1))" "event=consul_registered vip=web" || true

	# The data plane detached behind the daemon's back: the VIP's TTL check turns critical.
	lab_detach_daemon "$LB" "$CONFIG"
	local deadline=$((SECONDS + EVENT_TIMEOUT_S)) check='{}'
	while ((SECONDS < deadline)); do
		check=$(agent GET /v1/agent/checks)
		[[ $(json "$check" 's.get("sluice-web-dataplane", {}).get("Status")') == critical ]] && break
		sleep 0.3
	done
	if [[ $(json "$check" 's.get("sluice-web-dataplane", {}).get("Status")') == critical ]] \
		&& grep -q "event=dataplane_detached" "$LOG"; then
		pass "ttl-critical-when-detached" "sluice-web-dataplane critical: $(json "$check" 's["sluice-web-dataplane"]["Output"]')"
	else
		fail "ttl-critical-when-detached" "agent checks: $check"
	fi

	sed -i '/consul: { service: sluice-lab-web/d' "$CONFIG"
	kill -HUP "$(lab_pid "sluiced-$LB")"
	if wait_log 2 "event=consul_deregistered vip=web" \
		&& [[ $(json "$(agent GET /v1/agent/services)" '"sluice-web" in s') == False ]]; then
		pass "reload-deregisters" "the registration left the config: $(grep 'event=consul_deregistered' "$LOG" | tail -n 1 | sed 's/.*event=/event=/')"
	else
		fail "reload-deregisters" "agent services: $(agent GET /v1/agent/services)"
	fi

	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
