#!/usr/bin/env bash
# Admin API and CLI latency in the lab: lb1 with the e2e config, then 5 x `sluice vip list`,
# 5 x `sluice backend weight` (each a JVM start), 5 x GET and PATCH with curl over the socket
# (the API alone), and the reconcile time of each weight change from the daemon log.
# As root, after mvn package; LAB_PREFIX picks the lab. Usage: bench/admin-latency.sh
set -uo pipefail
# shellcheck source=lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"
LB=lb1; CONFIG="$LAB_RUN_DIR/sluiced-$LB.yaml"
trap 'lab_stop "sluiced-$LB"; lab_detach_daemon "$LB" "$CONFIG"; lab_down 2>/dev/null' EXIT
mkdir -p "$LAB_RUN_DIR"
lab_up >/dev/null 2>&1
lab_start_servers 80 8080 >/dev/null
LAB_JAR=$(lab_stage_jar)
lab_write_config "$LB" "$CONFIG"
: >"$LAB_RUN_DIR/sluiced-$LB.log"
lab_start_daemon "$LB" "$CONFIG"
lab_wait_ready "$LB" 1 60 || { echo not ready; exit 1; }
export SLUICE_ADMIN_SOCKET=$(lab_admin_socket "$LB")
CLI=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$LAB_JAR" io.sluice.lb.cli.SluiceCli)
for i in 1 2 3 4 5; do /usr/bin/time -f "vip list %e s" "${CLI[@]}" vip list >/dev/null; done
for w in 90 100 90 100 90; do /usr/bin/time -f "backend weight %e s" "${CLI[@]}" backend weight web 10.0.2.11 $w >/dev/null; done
S=$SLUICE_ADMIN_SOCKET
for i in 1 2 3 4 5; do curl -s -o /dev/null -w "curl GET /v1/vips %{time_total} s\n" --unix-socket "$S" http://x/v1/vips; done
for w in 80 100 80 100 80; do curl -s -o /dev/null -w "curl PATCH weight %{time_total} s\n" --unix-socket "$S" -X PATCH -d "{\"weight\": $w}" http://x/v1/vips/web/backends/10.0.2.11; done
grep -o "cause=api_backend_weight.*duration_us=[0-9]*" "$LAB_RUN_DIR/sluiced-$LB.log" | grep -o "duration_us=[0-9]*" | tr '\n' ' '; echo
