#!/usr/bin/env bash
# The fleet's shared config in Consul KV, in the lab, as root: the local file of the LB host says
# only `consul.kv.prefix`; its VIP and backends come from the YAML document at <prefix>/config in
# the Consul agent double (lab/consul_double.py, 127.0.0.1:8500 in the LB host's namespace).
#   - the daemon starts on the document: traffic reaches exactly its backends (be1, be2);
#   - `sluice status` shows the KV key and the ModifyIndex in force; `sluice config show` the
#     effective config;
#   - the document changes (be3 added): one reconcile (cause=consul_kv), traffic follows;
#   - bad documents (schema error, YAML error, the key deleted) are rejected whole with a logged
#     reason: no reconcile, the table fingerprint stays, traffic still on the three backends;
#   - a document refused against the host's file (an IPv6 backend, no encap.source_v6) is applied
#     by the reload that adds encap.source_v6 (cause=reload), traffic on its backends;
#   - an admin API edit of a backend is refused, naming the KV key; the file is not touched;
#   - `sluice fleet check` agrees with a second host on the same document, and names a host
#     still on the previous document after the document changed;
#   - the daemon restarted while the agent is down starts from the cached last good document, the
#     adopted table left as it was (tables_swapped=0), traffic flows.
# Expects the build (jar, objects) like e2e-test.sh. Prints "N passed, M failed" last.
set -uo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LB=lb1
CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
LOG="$LAB_RUN_DIR/sluiced-$LB.log"
STATUS="$LAB_RUN_DIR/status-$LB.json"
AGENT_STATE="$LAB_RUN_DIR/consul-kv-double-state.json"
KV_CACHE="$LAB_RUN_DIR/consul-kv-config.json"
AGENT="http://127.0.0.1:8500"
PREFIX=sluice-lab
KEY="$PREFIX/config"
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
	printf 'consul-kv: lab torn down (daemon log kept in %s)\n' "$LOG"
}

agent() { lab_consul "$LB" "$@"; } # METHOD PATH [BODY]

put_document() { agent PUT "/v1/kv/$KEY" "$1" >/dev/null; }

modify_index() { json "$(agent GET "/v1/kv/$KEY")" 's[0]["ModifyIndex"]'; }

document() { # backends... (be or be=weight): the fleet's document with VIP web on these backends
	local list="" be weight
	for be in "$@"; do
		weight=""
		[[ $be == *=* ]] && weight=", weight: ${be#*=}"
		list+="${list:+, }{address: $(lab_v4 "${be%%=*}")$weight}"
	done
	cat <<-EOF
	# the fleet's shared config, written by lab/consul-kv-test.sh
	vips:
	  - name: web
	    address: "$LAB_VIP_V4"
	    port: $VIP_PORT
	    table_size: 65537
	    consul: { service: sluice-lab-kv }
	    backends: [$list]
	dos:
	  deny: [198.51.100.0/24]
	EOF
}

wait_log() { # count pattern: wait (bounded) until the log has at least count lines matching
	local n=$1 pattern=$2 deadline=$((SECONDS + EVENT_TIMEOUT_S))
	while ((SECONDS < deadline)); do
		(($(grep -c -- "$pattern" "$LOG" 2>/dev/null || true) >= n)) && return 0
		sleep 0.2
	done
	return 1
}

write_config() { # [without-v6]: the host's own settings only (the VIPs live in KV); without-v6 leaves out encap.source_v6
	local encap="source_v4: $LAB_ENCAP_SRC_V4, source_v6: \"$LAB_ENCAP_SRC_V6\""
	[[ ${1:-} == without-v6 ]] && encap="source_v4: $LAB_ENCAP_SRC_V4"
	cat >"$CONFIG" <<-EOF
	# written by lab/consul-kv-test.sh for $(lab_ns "$LB")
	interface: eth0
	pin_dir: $(lab_pin_dir "$LB")
	xdp_mode: native
	gateway_mac: "$(lab_mac router br0)"
	mtu: $LAB_FABRIC_MTU
	encap: { $encap }
	status_file: $STATUS
	metrics: { listen: "off" }
	admin: { socket: $(lab_admin_socket "$LB") }
	consul:
	  address: "$AGENT"
	  retry_min: 200ms
	  retry_max: 1s
	  wait: 1m
	  cache_file: $LAB_RUN_DIR/consul-discovered.json
	  kv: { prefix: $PREFIX, cache_file: $KV_CACHE }
	EOF
}

traffic() { lab_client --target "$LAB_VIP_V4" --port "$VIP_PORT" --count "$CONNECTIONS" --concurrency 4 --timeout 2; }
per_backend() { json "$1" '", ".join("%s=%d" % kv for kv in sorted(s["per_backend"].items()))'; }
all_on() { # out backends...: every connection succeeded, on exactly these backends
	local want
	want=$(printf '"%s",' "${@:2}")
	[[ $(json "$1" 's["succeeded"] == '"$CONNECTIONS"' and set(s["per_backend"]) == {'"${want%,}"'}') == True ]]
}
fleet_check() { # the CLI inside the LB namespace (the agent double listens on its loopback)
	lab_in "$LB" java -cp "$(lab_jar)" io.sluice.lb.cli.SluiceCli fleet check --consul "$AGENT" --service sluice-lab-kv "$@"
}

register_other_lb() { # host fingerprint: another LB host's registration of VIP web, meta as sluiced sets it
	agent PUT /v1/agent/service/register "{\"ID\": \"sluice-web@$1\", \"Name\": \"sluice-lab-kv\",
		\"Address\": \"$LAB_VIP_V4\", \"Port\": $VIP_PORT, \"Meta\": {\"lb_host\": \"$1\", \"sluice_vip\": \"web\",
		\"table_fingerprint\": \"$2\"}, \"Check\": {\"CheckID\": \"sluice-web@$1-dataplane\", \"TTL\": \"1h\",
		\"Status\": \"passing\"}}" >/dev/null
}

meta_fingerprint() { json "$(agent GET /v1/agent/services)" 's.get("sluice-web", {}).get("Meta", {}).get("table_fingerprint")'; }

wait_steady() { # no backend filling, and the registration's meta carries the status file's fingerprint
	local deadline=$((SECONDS + 30))
	while ((SECONDS < deadline)); do
		if ! grep -q '"filling"' "$STATUS" && [[ $(meta_fingerprint) == "$(fingerprint)" ]]; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

fingerprint() { json "$(cat "$STATUS")" '[v for v in s["vips"] if v["name"] == "web"][0]["table_fingerprint"]'; }
status_index() { json "$(cat "$STATUS")" '(s.get("config_source") or {}).get("modify_index")'; }

wait_status_index() { # index: the status file shows this ModifyIndex in force
	local deadline=$((SECONDS + EVENT_TIMEOUT_S))
	while ((SECONDS < deadline)); do
		[[ $(status_index) == "$1" ]] && return 0
		sleep 0.2
	done
	return 1
}

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
	rm -f "$AGENT_STATE" "$KV_CACHE" "$LAB_RUN_DIR/consul-discovered.json"
	lab_start "$LB" consul-double "$LAB_PYTHON" "$LAB_DIR/consul_double.py" --port 8500 --state "$AGENT_STATE"
	lab_wait_listening "$LB" 8500 || lab_die "the Consul double did not start"
	put_document "$(document be1 be2)"

	write_config
	: >"$LOG"
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 1 "$READY_TIMEOUT_S" || { tail -n 20 "$LOG"; lab_die "sluiced did not become ready"; }
	local out index
	index=$(modify_index)
	out=$(traffic)
	if grep -q "event=consul_kv_applied key=$KEY modify_index=$index from=consul vips=1" "$LOG" && all_on "$out" be1 be2; then
		pass "starts-on-the-document" "ModifyIndex $index; $CONNECTIONS/$CONNECTIONS connections on the document's backends: $(per_backend "$out")"
	else
		fail "starts-on-the-document" "log: $(grep -m1 'consul_kv' "$LOG"); traffic: $(per_backend "$out")"
	fi

	local shown
	wait_status_index "$index" || true
	shown=$(lab_sluice_cli status --status-file "$STATUS" 2>&1)
	if [[ $shown == *"config source: Consul KV key $KEY, ModifyIndex $index"* ]]; then
		pass "status-shows-source" "$(grep 'config source' <<<"$shown")"
	else
		fail "status-shows-source" "$(head -n 4 <<<"$shown")"
	fi
	shown=$(lab_sluice "$LB" config show 2>&1)
	if [[ $shown == *"effective config"*"$KEY"* && $shown == *"$(lab_v4 be2)"* && $shown == *"interface"* ]]; then
		pass "config-show-effective" "$(head -n 1 <<<"$shown")"
	else
		fail "config-show-effective" "$(head -n 5 <<<"$shown")"
	fi

	# A change of the document: one reconcile, traffic follows.
	put_document "$(document be1 be2 be3)"
	index=$(modify_index)
	if wait_log 1 "event=consul_kv_applied key=$KEY modify_index=$index" && wait_log 1 "event=reconciled cause=consul_kv"; then
		out=$(traffic)
		if all_on "$out" be1 be2 be3; then
			pass "change-follows" "be3 added in KV (ModifyIndex $index): $(per_backend "$out")"
		else
			fail "change-follows" "traffic: $(per_backend "$out"), $(json "$out" 's["failures"]')"
		fi
	else
		fail "change-follows" "no consul_kv_applied modify_index=$index and its reconcile in $LOG"
	fi

	# Bad documents change nothing. be3 joined as filling (second chance, at least 10 s,
	# docs/drain.md), which moves the fingerprint when it ends: start from the steady table.
	wait_status_index "$index" || true
	wait_steady || true
	local fp reconciles good_index=$index
	fp=$(fingerprint)
	reconciles=$(grep -c 'event=reconciled cause=consul_kv' "$LOG")
	put_document "$(document be1 be2 be3 | sed 's/port: 80/port: 0/')"
	wait_log 1 "event=consul_kv_rejected key=$KEY modify_index=$(modify_index) kind=schema" || true
	put_document "vips: [ {name: web"
	wait_log 1 "event=consul_kv_rejected key=$KEY modify_index=$(modify_index) kind=yaml" || true
	agent DELETE "/v1/kv/$KEY" >/dev/null
	wait_log 1 "event=consul_kv_rejected key=$KEY modify_index=0 kind=missing" || true
	out=$(traffic)
	local rejected
	rejected=$(grep -c 'event=consul_kv_rejected' "$LOG")
	if ((rejected >= 3)) && (($(grep -c 'event=reconciled cause=consul_kv' "$LOG") == reconciles)) \
		&& [[ $(fingerprint) == "$fp" && $(status_index) == "$good_index" ]] && all_on "$out" be1 be2 be3; then
		pass "bad-documents-change-nothing" "$rejected rejected (schema, yaml, missing), no reconcile, fingerprint $fp and ModifyIndex $good_index kept, traffic: $(per_backend "$out")"
	else
		fail "bad-documents-change-nothing" "rejected=$rejected; $(grep 'event=consul_kv_rejected' "$LOG" | sed 's/.*event=/event=/' | cut -c1-120 | tr '\n' '|'); fingerprint $(fingerprint) (was $fp); index $(status_index); traffic $(per_backend "$out")"
	fi
	shown=$(lab_sluice_cli status --status-file "$STATUS" 2>&1)
	if [[ $shown == *"last document rejected"*"missing"* ]]; then
		pass "status-shows-rejection" "$(grep 'last document rejected' <<<"$shown" | cut -c1-160)"
	else
		fail "status-shows-rejection" "$(head -n 5 <<<"$shown")"
	fi

	# A document refused against this host's file is tried again when a reload changes the file:
	# an IPv6 backend needs encap.source_v6, which the file lacks until the operator adds it.
	write_config without-v6
	kill -HUP "$(lab_pid "sluiced-$LB")"
	wait_log 1 "event=reconciled cause=reload" || true
	put_document "$(document be1 be2 be3 | sed "s/address: $(lab_v4 be3)}/address: \"$(lab_v6 be3)\"}/")"
	index=$(modify_index)
	wait_log 1 "event=consul_kv_rejected key=$KEY modify_index=$index kind=schema" || true
	write_config
	kill -HUP "$(lab_pid "sluiced-$LB")"
	if wait_log 1 "event=consul_kv_applied key=$KEY modify_index=$index from=consul vips=1 cause=reload" \
		&& wait_log 2 "event=reconciled cause=reload" && wait_status_index "$index"; then
		out=$(traffic)
		if all_on "$out" be1 be2 be3; then
			pass "refused-document-retried-on-reload" "ModifyIndex $index refused (no encap.source_v6), applied by the reload that added it: $(per_backend "$out")"
		else
			fail "refused-document-retried-on-reload" "traffic: $(per_backend "$out"), $(json "$out" 's["failures"]')"
		fi
	else
		fail "refused-document-retried-on-reload" "$(grep 'consul_kv_\|cause=reload\|reload_rejected' "$LOG" | tail -n 4 | sed 's/.*event=/event=/' | cut -c1-160 | tr '\n' '|')"
	fi

	# The API does not edit what KV owns.
	local before after rc
	before=$(cat "$CONFIG")
	shown=$(lab_sluice "$LB" backend drain web "$(lab_v4 be1)" 2>&1)
	rc=$?
	after=$(cat "$CONFIG")
	if ((rc != 0)) && [[ $shown == *"Consul KV key $KEY"* && $before == "$after" ]]; then
		pass "api-edit-refused" "exit $rc: $(head -n 1 <<<"$shown" | cut -c1-160)"
	else
		fail "api-edit-refused" "exit $rc: $shown"
	fi

	# Fleet check: a second host on the same document agrees; after a change of the document, a
	# host still on the previous one is named. (The other hosts are registrations made through the
	# agent's API, as in consul-test.sh: two daemons on one agent double would share a service ID.)
	put_document "$(document be1 be2 be3)"
	wait_log 1 "event=consul_kv_applied key=$KEY modify_index=$(modify_index)" || true
	# be3 joined as filling (second chance, at least 10 s, docs/drain.md): wait for the steady table.
	wait_steady || true
	local old_fp new_fp
	old_fp=$(fingerprint)
	register_other_lb lab-lb2 "$old_fp"
	shown=$(fleet_check 2>&1)
	rc=$?
	if ((rc == 0)) && [[ $shown == *"all 2 hosts agree on $old_fp"* ]]; then
		pass "fleet-check-agrees" "$(tail -n 1 <<<"$shown")"
	else
		fail "fleet-check-agrees" "exit $rc: $shown"
	fi
	put_document "$(document be1 be2 be3=50)"
	index=$(modify_index)
	wait_log 1 "event=consul_kv_applied key=$KEY modify_index=$index" || true
	wait_status_index "$index" || true
	wait_steady || true
	new_fp=$(fingerprint)
	register_other_lb lab-lb3 "$new_fp" # lab-lb3 took the new document too; lab-lb2 did not
	shown=$(fleet_check 2>&1)
	rc=$?
	if [[ $new_fp != "$old_fp" ]] && ((rc == 1)) \
		&& [[ $shown == *"1 of 3 hosts differ from the majority $new_fp: lab-lb2"* ]]; then
		pass "fleet-check-flags-stale-host" "$(tail -n 1 <<<"$shown")"
	else
		fail "fleet-check-flags-stale-host" "fingerprints $old_fp -> $new_fp; exit $rc: $shown"
	fi
	agent PUT /v1/agent/service/deregister/sluice-web@lab-lb2 >/dev/null
	agent PUT /v1/agent/service/deregister/sluice-web@lab-lb3 >/dev/null

	# Restart with the agent down: the cached last good document, the adopted table as it was.
	put_document "$(document be1 be2 be3)"
	index=$(modify_index)
	wait_log 1 "event=consul_kv_applied key=$KEY modify_index=$index" || true
	wait_status_index "$index" || true
	wait_steady || true
	lab_stop "sluiced-$LB"
	lab_stop consul-double
	lab_start_daemon "$LB" "$CONFIG"
	lab_wait_ready "$LB" 2 "$READY_TIMEOUT_S" || { tail -n 20 "$LOG"; lab_die "sluiced did not restart"; }
	out=$(traffic)
	local startup
	startup=$(grep 'event=reconciled cause=startup' "$LOG" | tail -n 1)
	if grep -q "event=consul_kv_restored key=$KEY modify_index=$index" "$LOG" && [[ $startup == *tables_swapped=0* ]] \
		&& all_on "$out" be1 be2 be3; then
		pass "restart-from-cache" "agent down: document $index from $KV_CACHE, tables_swapped=0, traffic: $(per_backend "$out")"
	else
		fail "restart-from-cache" "startup: ${startup#*event=}; $(grep -m1 'consul_kv_restored\|shared_config' "$LOG"); traffic: $(per_backend "$out")"
	fi

	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
