# shellcheck shell=bash
# The four paths of the side-by-side benchmark (bench/run-all), on top of lab/lib.sh.
#
#   sluice   client -> router -> lb1 (XDP, IP-in-IP) -> be1..be3 -> client   10.100.0.1:80 (DSR)
#   haproxy  client -> router -> lb1 (HAProxy, TCP mode) <-> be1..be3         10.100.0.2:80
#   nft      client -> router -> lb1 (nftables DNAT + SNAT) <-> be1..be3      10.100.0.3:80
#   direct   client -> router -> be1                                          10.0.2.11:80
#
# Every path shares the client, the router and the backends' nginx. Each LB path has its own
# VIP, so all four are configured at once and the runs can alternate without reconfiguring.

SBS_DIR=${SBS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
SBS_PORT=80
SBS_VIP_SLUICE=$LAB_VIP_V4
SBS_VIP_HAPROXY=10.100.0.2
SBS_VIP_NFT=10.100.0.3

# One nginx per backend, one worker, a fixed 3-byte body: the backend must not be the
# bottleneck that hides the LB's cost (lab/backend_server.py would be).
sbs_nginx_conf() {
	local be=$1 dir=$2
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_requests 1000000;
	keepalive_timeout 60s;
	server {
		listen $SBS_PORT backlog=4096;
		location / { default_type text/plain; return 200 "$be\n"; }
	}
}
EOF
}

sbs_start_nginx() {
	local be dir
	for be in "${LAB_BACKENDS[@]}"; do
		dir="$LAB_RUN_DIR/nginx-$be"
		sbs_nginx_conf "$be" "$dir"
		lab_start "$be" "nginx-$be" nginx -c "$dir/nginx.conf" -e "$dir/error.log"
	done
	for be in "${LAB_BACKENDS[@]}"; do
		lab_wait_listening "$be" "$SBS_PORT" 10 || lab_die "nginx on $be did not start: $LAB_RUN_DIR/nginx-$be.log"
	done
}

# HAProxy as it is usually run in front of TCP services: mode tcp, round robin, no health
# checks (sluice's are off too), threads = CPUs (HAProxy's default; SBS_HAPROXY_THREADS sets
# it, --cpus split gives the LB host one CPU), logging off.
sbs_haproxy_conf() {
	local file=$1 be
	{
		echo "global"
		echo "    maxconn 8000"
		if [[ -n ${SBS_HAPROXY_THREADS:-} ]]; then echo "    nbthread $SBS_HAPROXY_THREADS"; fi
		echo "defaults"
		echo "    mode tcp"
		echo "    timeout connect 5s"
		echo "    timeout client 60s"
		echo "    timeout server 60s"
		echo "frontend bench"
		echo "    bind $SBS_VIP_HAPROXY:$SBS_PORT"
		echo "    default_backend web"
		echo "backend web"
		echo "    balance roundrobin"
		for be in "${LAB_BACKENDS[@]}"; do
			echo "    server $be $(lab_v4 "$be"):$SBS_PORT"
		done
	} >"$file"
}

sbs_start_haproxy() {
	local conf="$LAB_RUN_DIR/haproxy.cfg"
	sbs_haproxy_conf "$conf"
	lab_in lb1 ip addr add "$SBS_VIP_HAPROXY/32" dev lo
	lab_in router ip route add "$SBS_VIP_HAPROXY/32" via "$(lab_v4 lb1)"
	haproxy -c -q -f "$conf" || lab_die "haproxy rejected $conf"
	# -db: stay in the foreground, so the recorded PID is HAProxy's own (its CPU time is read from it).
	lab_start lb1 haproxy haproxy -db -f "$conf"
	lab_wait_listening lb1 "$SBS_PORT" 10 || lab_die "haproxy did not start: $LAB_RUN_DIR/haproxy.log"
}

# nftables as an L4 balancer on a one-arm host: DNAT to a backend chosen per connection by
# numgen (round robin; SBS_NFT_HASH=jhash picks by a hash of the client's address and port),
# and SNAT (masquerade) so the backend's replies come back through lb1 and conntrack can undo
# the DNAT. The backends' default route is the router, so DNAT alone would break the reply path.
sbs_nft_ruleset() {
	local pick map="" i=0 be
	for be in "${LAB_BACKENDS[@]}"; do
		map+="${map:+, }$i : $(lab_v4 "$be")"
		i=$((i + 1))
	done
	if [[ ${SBS_NFT_HASH:-numgen} == jhash ]]; then
		pick="jhash ip saddr . tcp sport mod ${#LAB_BACKENDS[@]}"
	else
		pick="numgen inc mod ${#LAB_BACKENDS[@]}"
	fi
	cat <<EOF
table ip sluice_bench {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $SBS_VIP_NFT tcp dport $SBS_PORT dnat to $pick map { $map }
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ct status dnat ip daddr $(lab_v4 lb1 | sed 's/\.[0-9]*$/.0/')/24 masquerade
	}
}
EOF
}

sbs_setup_nft() {
	sbs_nft_ruleset >"$LAB_RUN_DIR/nft.rules"
	lab_sysctl lb1 net.ipv4.ip_forward 1
	lab_sysctl lb1 net.ipv4.conf.all.send_redirects 0
	lab_sysctl lb1 net.ipv4.conf.eth0.send_redirects 0
	lab_in lb1 nft -f "$LAB_RUN_DIR/nft.rules" || lab_die "nft rejected $LAB_RUN_DIR/nft.rules"
	lab_in router ip route add "$SBS_VIP_NFT/32" via "$(lab_v4 lb1)"
}

# Every path up in a lab lab_up started: the client tuned, nginx on the backends, HAProxy and
# nftables on lb1, their VIPs' routes in the ToR's map (XDP router), sluiced on lb1 ready with the
# lab's config (LAB_JAR exported: the staged copy of the daemon jar).
sbs_start_paths() {
	sbs_tune_client
	sbs_start_nginx
	sbs_start_haproxy
	sbs_setup_nft
	if [[ $LAB_ROUTER == xdp ]]; then lab_tor_sync; fi
	LAB_JAR=$(lab_stage_jar) || lab_die "could not copy the daemon jar"
	export LAB_JAR
	lab_write_config lb1 "$LAB_RUN_DIR/sluiced-lb1.yaml"
	: >"$LAB_RUN_DIR/sluiced-lb1.log"
	lab_start_daemon lb1 "$LAB_RUN_DIR/sluiced-lb1.yaml"
	lab_wait_ready lb1 1 90 || lab_die "sluiced did not become ready: $LAB_RUN_DIR/sluiced-lb1.log"
}

# The client opens many short connections: a wide port range, and TIME_WAIT reuse.
sbs_tune_client() {
	lab_sysctl client net.ipv4.ip_local_port_range "1024 65000"
	lab_sysctl client net.ipv4.tcp_tw_reuse 1
}

sbs_url() {
	case $1 in
	sluice) echo "http://$SBS_VIP_SLUICE/" ;;
	haproxy) echo "http://$SBS_VIP_HAPROXY/" ;;
	nft) echo "http://$SBS_VIP_NFT/" ;;
	direct) echo "http://$(lab_v4 be1)/" ;;
	esac
}

# Busy jiffies of the whole machine (user nice system irq softirq steal), and the
# softirq+system part alone: the namespaces share the kernel, so this counts everything.
sbs_cpu_sample() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $4 + $7 + $8 }' /proc/stat; }

# utime + stime of one process (clock ticks): the LB process's own CPU time.
sbs_proc_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
