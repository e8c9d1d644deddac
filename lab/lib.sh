# shellcheck shell=bash
# The sluice network-namespace lab: a sourced library.
#
#   client --- router --- br0 --+-- lb1 [lb2 [lb3]]  (the balancer, one-arm)
#   attacker --/                +-- be1..be3 (decap, VIPs on lo, DSR)
#
# LAB_LB_COUNT=1 (default): the router routes the VIPs to lb1 statically.
# LAB_LB_COUNT=2 or 3: the fleet. BIRD on every LB host and on the router; each sluiced
# announces its VIPs over BGP and the router spreads them by ECMP (lab/bird.sh).
#
# LAB_ROUTER=kernel (default): the router bridges and routes in its kernel. LAB_ROUTER=xdp:
# a ToR in XDP on every router port forwards host to host (lab/tor.sh).
#
# Every name carries LAB_PREFIX so the lab cannot collide with anything else
# on the machine; every process it starts is recorded in LAB_RUN_DIR so
# `lab_down` can stop exactly those, by PID.

LAB_PREFIX=${LAB_PREFIX:-sl}
LAB_DIR=${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
LAB_REPO_DIR=${LAB_REPO_DIR:-$(dirname "$LAB_DIR")}
# PID files and logs; a lab with another prefix keeps its own, so one lab's
# `down` never stops another's processes.
if [[ $LAB_PREFIX == sl ]]; then
	LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run}
else
	LAB_RUN_DIR=${LAB_RUN_DIR:-$LAB_DIR/.run/prefix-$LAB_PREFIX}
fi
LAB_PYTHON=${LAB_PYTHON:-/usr/bin/python3}
LAB_BPFFS=/sys/fs/bpf

# Segment MTUs: encapsulation adds 20 (IPv4) / 40 (IPv6) bytes, so the
# LB/backend fabric is larger than the client link, as real fabrics are.
LAB_CLIENT_MTU=1500
LAB_FABRIC_MTU=1600

LAB_BACKENDS=(be1 be2 be3)
LAB_LB_COUNT=${LAB_LB_COUNT:-1}
[[ $LAB_LB_COUNT =~ ^[123]$ ]] || { echo "[lab] error: LAB_LB_COUNT must be 1, 2 or 3" >&2; exit 2; }
LAB_ALL_LB_HOSTS=(lb1 lb2 lb3)
LAB_LB_HOSTS=("${LAB_ALL_LB_HOSTS[@]:0:LAB_LB_COUNT}")

LAB_CLIENT_V4=10.0.1.2
LAB_CLIENT_V6=fd00:1::2
LAB_ROUTER_CLIENT_V4=10.0.1.1
# A second client link for DoS tests (lab/dos-test.sh): it may send from any source.
LAB_ATTACKER_V4=10.0.3.2
LAB_ROUTER_ATTACKER_V4=10.0.3.1
LAB_ROUTER_CLIENT_V6=fd00:1::1
LAB_ROUTER_FABRIC_V4=10.0.2.1
LAB_ROUTER_FABRIC_V6=fd00:2::1
LAB_ROUTER_BRIDGE_MAC=02:00:0a:00:02:01
LAB_VIP_V4=10.100.0.1
LAB_VIP_V6=fd00:100::1
# Outer source prefixes the balancer may use: inside the fabric subnet, owned by no host.
LAB_ENCAP_SRC_V4=10.0.2.128/25
LAB_ENCAP_SRC_V6=fd00:2::8000:0/97

# Host part of each fabric host's address: 10.0.2.<n> and fd00:2::<n>.
declare -A LAB_HOST_NUM=([lb1]=10 [be1]=11 [be2]=12 [be3]=13 [lb2]=20 [lb3]=30)

lab_log() { printf '[lab] %s\n' "$*" >&2; }
# The fleet: more than one LB host, VIPs over BGP.
lab_fleet() { ((${#LAB_LB_HOSTS[@]} > 1)); }
lab_die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

lab_require_root() {
	[[ $(id -u) -eq 0 ]] || lab_die "the lab needs root (network namespaces, XDP)"
}

lab_ns() { printf '%s-%s' "$LAB_PREFIX" "$1"; }
lab_v4() { printf '10.0.2.%s' "${LAB_HOST_NUM[$1]}"; }
lab_v6() { printf 'fd00:2::%s' "${LAB_HOST_NUM[$1]}"; }
# Router-side bridge port of a fabric host.
lab_port() { printf 'p-%s' "$1"; }

# One pin directory per LB host, under the host's bpffs (never a private mount).
lab_pin_dir() {
	if [[ $LAB_PREFIX == sl ]]; then
		printf '%s/sluice-lab-%s' "$LAB_BPFFS" "$1"
	else
		printf '%s/sluice-lab-%s-%s' "$LAB_BPFFS" "$LAB_PREFIX" "$1"
	fi
}

# Run a command inside a lab namespace. nsenter enters only the network
# namespace: `ip netns exec` would also create a mount namespace in which
# pinned bpffs objects vanish when the command exits.
lab_in() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$(lab_ns "$ns")" "$@"
}

lab_sysctl() {
	local ns=$1 key=$2 value=$3
	lab_in "$ns" sysctl -q -w "$key=$value" >/dev/null
}

lab_ns_exists() { [[ -e /run/netns/$(lab_ns "$1") ]]; }

lab_mount_bpffs() {
	if [[ $(stat -f -c %T "$LAB_BPFFS" 2>/dev/null) != bpf_fs ]]; then
		lab_log "mounting bpffs at $LAB_BPFFS"
		mount -t bpf bpf "$LAB_BPFFS"
	fi
}

# --- XDP objects --------------------------------------------------------------

# The compiled objects: bpf-xdp/out first, then the copy the Maven build makes.
lab_bpf_object() {
	local name=$1 dir
	for dir in ${LAB_BPF_DIR:-} "$LAB_REPO_DIR/bpf-xdp/out" "$LAB_REPO_DIR/lb/target/classes/bpf"; do
		if [[ -f $dir/$name.o ]]; then
			printf '%s/%s.o' "$dir" "$name"
			return 0
		fi
	done
	return 1
}

# First ELF section whose name starts with "xdp" (the program to attach).
lab_xdp_section() {
	readelf -SW "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^xdp/) { print $i; exit } }'
}

# Attach an object's XDP program with iproute2. mode: native|generic|auto
# (auto tries native first). Prints the mode that worked.
lab_attach_xdp() {
	local ns=$1 dev=$2 obj=$3 mode=${4:-auto} sec
	sec=$(lab_xdp_section "$obj")
	[[ -n $sec ]] || { lab_log "no xdp section in $obj"; return 1; }
	if [[ $mode != generic ]] &&
		lab_in "$ns" ip link set dev "$dev" xdpdrv obj "$obj" sec "$sec" 2>"$LAB_RUN_DIR/xdp-attach.err"; then
		echo native
		return 0
	fi
	if [[ $mode != native ]] &&
		lab_in "$ns" ip link set dev "$dev" xdpgeneric obj "$obj" sec "$sec" 2>>"$LAB_RUN_DIR/xdp-attach.err"; then
		echo generic
		return 0
	fi
	lab_log "attaching $obj to $ns/$dev failed: $(tr '\n' ' ' <"$LAB_RUN_DIR/xdp-attach.err")"
	return 1
}

# --- processes ----------------------------------------------------------------

# Start a long-running process inside a namespace; PID in LAB_RUN_DIR/<tag>.pid,
# output in LAB_RUN_DIR/<tag>.log. nsenter execs the command, so $! is its PID.
lab_start() {
	local ns=$1 tag=$2
	shift 2
	mkdir -p "$LAB_RUN_DIR"
	nsenter --net="/run/netns/$(lab_ns "$ns")" "$@" >>"$LAB_RUN_DIR/$tag.log" 2>&1 </dev/null &
	lab_record_pid "$tag" $!
	# Tracked by PID file, not as a job: no "Killed" notices when lab_stop ends it.
	disown $!
}

# A process's start time (clock ticks since boot): with the PID it names one
# process for good, so a stale PID file never signals a recycled PID.
lab_starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

lab_record_pid() {
	mkdir -p "$LAB_RUN_DIR"
	echo "$2 $(lab_starttime "$2")" >"$LAB_RUN_DIR/$1.pid"
}

lab_pid() {
	local file="$LAB_RUN_DIR/$1.pid" pid started
	[[ -f $file ]] || return 1
	read -r pid started <"$file" || true
	printf '%s' "$pid"
}

lab_running() {
	local file="$LAB_RUN_DIR/$1.pid" pid started
	[[ -f $file ]] || return 1
	read -r pid started <"$file" || true
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && [[ -z $started || $(lab_starttime "$pid") == "$started" ]]
}

# Stop one recorded process: SIGTERM, a bounded wait, then SIGKILL.
lab_stop() {
	local tag=$1 signal=${2:-TERM} pid i
	pid=$(lab_pid "$tag") || return 0
	if lab_running "$tag"; then
		kill "-$signal" "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$LAB_RUN_DIR/$tag.pid"
}

lab_stop_all() {
	local file
	[[ -d $LAB_RUN_DIR ]] || return 0
	for file in "$LAB_RUN_DIR"/*.pid; do
		[[ -e $file ]] || continue
		lab_stop "$(basename "$file" .pid)"
	done
}

# Run a command (a long sleep, a timed perf record) that the script's signals must not wait for.
# bash runs a trap only once the foreground command has ended, so a script that traps TERM to
# tear its lab down would first sit out a plain `sleep 60`; `wait` returns as soon as a trapped
# signal arrives. The command gets SIGTERM when this shell exits (setpriv --pdeathsig), so an
# interrupted one does not outlive the script either. Its status is the command's; its stdin is
# /dev/null, as for any background command.
lab_interruptible() {
	setpriv --pdeathsig TERM "$@" &
	wait "$!"
}
lab_sleep() { lab_interruptible sleep "$1"; }

# Wait (bounded) until something listens on a TCP port inside a namespace.
lab_wait_listening() {
	local ns=$1 port=$2 timeout_s=${3:-10} deadline
	deadline=$((SECONDS + timeout_s))
	while ((SECONDS < deadline)); do
		lab_in "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# --- topology -----------------------------------------------------------------

lab_mac() { lab_in "$1" ip -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# A veth pair created directly in its two namespaces: no name ever exists in
# the host's namespace.
lab_veth() {
	local ns_a=$1 dev_a=$2 ns_b=$3 dev_b=$4 mtu=$5
	ip link add "$dev_a" netns "$(lab_ns "$ns_a")" mtu "$mtu" type veth \
		peer name "$dev_b" netns "$(lab_ns "$ns_b")" mtu "$mtu"
}

lab_new_ns() {
	local ns=$1
	ip netns add "$(lab_ns "$ns")"
	lab_in "$ns" ip link set dev lo up
	# Lab addresses are unique by construction: skip duplicate address detection.
	lab_sysctl "$ns" net.ipv6.conf.all.accept_dad 0
	lab_sysctl "$ns" net.ipv6.conf.default.accept_dad 0
}

lab_setup_router() {
	lab_new_ns router
	lab_sysctl router net.ipv4.ip_forward 1
	lab_sysctl router net.ipv6.conf.all.forwarding 1
	# Encapsulated packets come back in on the same bridge they leave by:
	# neither a redirect nor a reverse-path check may interfere.
	lab_sysctl router net.ipv4.conf.all.rp_filter 0
	lab_sysctl router net.ipv4.conf.default.rp_filter 0
	lab_sysctl router net.ipv4.conf.all.send_redirects 0
	lab_sysctl router net.ipv4.conf.default.send_redirects 0
	# A fixed MAC: a bridge otherwise takes its lowest port's, which moves as
	# ports come and go, and the LB's gateway_mac must stay right.
	lab_in router ip link add br0 address "$LAB_ROUTER_BRIDGE_MAC" mtu "$LAB_FABRIC_MTU" type bridge
	lab_in router ip addr add "$LAB_ROUTER_FABRIC_V4/24" dev br0
	lab_in router ip addr add "$LAB_ROUTER_FABRIC_V6/64" dev br0 nodad
	lab_in router ip link set dev br0 up
}

lab_setup_client() {
	lab_new_ns client
	lab_veth client eth0 router eth-client "$LAB_CLIENT_MTU"
	lab_in client ip addr add "$LAB_CLIENT_V4/24" dev eth0
	lab_in client ip addr add "$LAB_CLIENT_V6/64" dev eth0 nodad
	lab_in client ip link set dev eth0 up
	lab_in client ip route add default via "$LAB_ROUTER_CLIENT_V4"
	lab_in client ip -6 route add default via "$LAB_ROUTER_CLIENT_V6"
	# veth hands over TCP with a partial checksum; once XDP encapsulates it the
	# backend would drop it. A real NIC delivers full checksums: so does this one.
	lab_in client ethtool -K eth0 tx off >/dev/null
	lab_in router ip addr add "$LAB_ROUTER_CLIENT_V4/24" dev eth-client
	lab_in router ip addr add "$LAB_ROUTER_CLIENT_V6/64" dev eth-client nodad
	lab_in router ip link set dev eth-client up
}

# The attacker: like the client, on its own router link, allowed to spoof sources
# (the router does no reverse-path filtering).
lab_setup_attacker() {
	lab_new_ns attacker
	lab_veth attacker eth0 router eth-attacker "$LAB_CLIENT_MTU"
	lab_in attacker ip addr add "$LAB_ATTACKER_V4/24" dev eth0
	lab_in attacker ip link set dev eth0 up
	lab_in attacker ip route add default via "$LAB_ROUTER_ATTACKER_V4"
	lab_in router ip addr add "$LAB_ROUTER_ATTACKER_V4/24" dev eth-attacker
	lab_in router ip link set dev eth-attacker up
}

# A host on the LB/backend fabric: eth0 <-> a bridge port on the router.
lab_setup_fabric_host() {
	local host=$1 port
	port=$(lab_port "$host")
	lab_new_ns "$host"
	lab_veth "$host" eth0 router "$port" "$LAB_FABRIC_MTU"
	lab_in router ip link set dev "$port" master br0 up
	lab_in "$host" ip addr add "$(lab_v4 "$host")/24" dev eth0
	lab_in "$host" ip addr add "$(lab_v6 "$host")/64" dev eth0 nodad
	lab_in "$host" ip link set dev eth0 up
	lab_in "$host" ip route add default via "$LAB_ROUTER_FABRIC_V4"
	lab_in "$host" ip -6 route add default via "$LAB_ROUTER_FABRIC_V6"
}

lab_setup_backend() {
	local be=$1
	lab_setup_fabric_host "$be"
	# DSR: the backend owns the VIPs and answers the client straight back.
	lab_in "$be" ip addr add "$LAB_VIP_V4/32" dev lo
	lab_in "$be" ip addr add "$LAB_VIP_V6/128" dev lo nodad
	# Never answer ARP / ND for the VIP on the fabric: only lb1 receives it.
	lab_sysctl "$be" net.ipv4.conf.all.arp_ignore 1
	lab_sysctl "$be" net.ipv4.conf.all.arp_announce 2
	# Decapsulated packets arrive on eth0 with a VIP source route the kernel
	# did not expect: no reverse-path filtering.
	lab_sysctl "$be" net.ipv4.conf.all.rp_filter 0
	lab_sysctl "$be" net.ipv4.conf.eth0.rp_filter 0
}

# XDP: with LAB_ROUTER=xdp, lab/tor.sh's ToR program on every router port; otherwise
# xdp_pass on every router-side fabric port (XDP_TX into a veth is dropped
# unless the peer runs XDP), decap on every backend. Missing objects are
# reported, not fatal: plain routing works without them.
lab_setup_xdp() {
	local pass decap host mode
	: >"$LAB_RUN_DIR/xdp-modes"
	if [[ $LAB_ROUTER == xdp ]]; then
		lab_tor_up # lab/tor.sh: the ToR program on every router port instead
	elif pass=$(lab_bpf_object xdp_pass); then
		for host in "${LAB_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do
			mode=$(lab_attach_xdp router "$(lab_port "$host")" "$pass" native) ||
				lab_die "xdp_pass must attach natively to $(lab_port "$host")"
			echo "router/$(lab_port "$host") xdp_pass $mode" >>"$LAB_RUN_DIR/xdp-modes"
		done
	else
		lab_log "xdp_pass.o not built yet: LB hosts' XDP_TX would be dropped (make -C bpf-xdp)"
	fi
	if decap=$(lab_bpf_object decap); then
		for host in "${LAB_BACKENDS[@]}"; do
			mode=$(lab_attach_xdp "$host" eth0 "$decap" auto) || lab_die "decap would not attach on $host"
			echo "$host/eth0 decap $mode" >>"$LAB_RUN_DIR/xdp-modes"
		done
	else
		lab_log "decap.o not built yet: backends cannot decapsulate (make -C bpf-xdp)"
	fi
	[[ -s $LAB_RUN_DIR/xdp-modes ]] && sed 's/^/[lab] xdp: /' "$LAB_RUN_DIR/xdp-modes" >&2
	return 0
}

lab_route_vips() {
	lab_fleet && return 0 # the fleet's VIP routes come from BGP (lab_bgp_up)
	local lb=${LAB_LB_HOSTS[0]}
	lab_in router ip route add "$LAB_VIP_V4/32" via "$(lab_v4 "$lb")"
	lab_in router ip -6 route add "$LAB_VIP_V6/128" via "$(lab_v6 "$lb")"
}

lab_up() {
	lab_require_root
	lab_down
	mkdir -p "$LAB_RUN_DIR"
	# A fresh lab starts fresh process logs (the last run's stay until then).
	rm -f "$LAB_RUN_DIR"/server-*.log "$LAB_RUN_DIR"/sluiced-*.log "$LAB_RUN_DIR"/restart-loop.json
	lab_mount_bpffs
	local host
	lab_setup_router
	lab_setup_client
	lab_setup_attacker
	for host in "${LAB_LB_HOSTS[@]}"; do lab_setup_fabric_host "$host"; done
	for host in "${LAB_BACKENDS[@]}"; do lab_setup_backend "$host"; done
	lab_route_vips
	lab_setup_xdp
	lab_fleet && lab_bgp_up
	lab_log "up: $(lab_ns client) -> $(lab_ns router) -> ${LAB_LB_HOSTS[*]/#/$LAB_PREFIX-} -> ${LAB_BACKENDS[*]/#/$LAB_PREFIX-}"
}

# Idempotent: safe with nothing up, with half a lab, or twice.
lab_down() {
	lab_require_root
	local host ns
	lab_stop_all
	# Every possible LB host: a fleet brought up with a larger LAB_LB_COUNT goes too.
	for host in "${LAB_ALL_LB_HOSTS[@]}"; do
		rm -rf "$(lab_pin_dir "$host")"
	done
	lab_tor_down
	for host in client attacker router "${LAB_ALL_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do
		ns=$(lab_ns "$host")
		[[ -e /run/netns/$ns ]] && ip netns del "$ns"
	done
	rm -f "$LAB_RUN_DIR"/xdp-modes "$LAB_RUN_DIR"/xdp-attach.err
	return 0
}

lab_status() {
	local host ns up=0
	for host in client attacker router "${LAB_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do
		ns=$(lab_ns "$host")
		if [[ -e /run/netns/$ns ]]; then
			up=$((up + 1))
			printf '%s\n' "$ns"
			lab_in "$host" ip -br addr show | awk '$1 != "lo" { $2 = ""; print "    " $0 }'
			lab_in "$host" ip -d -o link show | awk '/prog\/xdp/ {
				dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev)
				for (i = 1; i <= NF; i++) if ($i ~ /^prog\/xdp/) print "    xdp on " dev ": " $i " id " $(i + 2) }' 
		else
			printf '%-12s (absent)\n' "$ns"
		fi
	done
	local tag
	for tag in "$LAB_RUN_DIR"/*.pid; do
		[[ -e $tag ]] || continue
		tag=$(basename "$tag" .pid)
		if lab_running "$tag"; then
			printf 'process %-14s pid %s running\n' "$tag" "$(lab_pid "$tag")"
		else
			printf 'process %-14s pid %s exited\n' "$tag" "$(lab_pid "$tag")"
		fi
	done
	((up > 0))
}

# --- the daemon ---------------------------------------------------------------

lab_jar() {
	local jar
	for jar in ${LAB_JAR:-} "$LAB_REPO_DIR"/lb/target/sluice-lb-*.jar; do
		[[ -f $jar ]] && { printf '%s' "$jar"; return 0; }
	done
	return 1
}

# Copy the jar and its lib/ (the manifest's Class-Path) into LAB_RUN_DIR, so a
# rebuild of lb/target during a run cannot pull the classes from under the
# daemon, and a restart runs the same build. Prints the staged jar.
lab_stage_jar() {
	local jar stage="$LAB_RUN_DIR/dist"
	jar=$(lab_jar) || return 1
	rm -rf "$stage"
	mkdir -p "$stage"
	cp "$jar" "$stage/" || return 1
	[[ -d $(dirname "$jar")/lib ]] && cp -r "$(dirname "$jar")/lib" "$stage/"
	printf '%s/%s' "$stage" "$(basename "$jar")"
}

# The daemon config for one LB host: every backend of the lab behind both VIPs.
# An optional third argument is YAML added to every VIP (e.g. a health_check block,
# one key per line, written without indentation); an optional fourth names the VIPs
# to write (default "web web6": the demo adds web through the CLI instead).
lab_write_config() {
	local lb=$1 file=$2 vip_extra=${3:-} only=${4:-web web6} gateway_mac be
	gateway_mac=$(lab_mac router br0)
	{
		echo "# written by lab/lib.sh for $(lab_ns "$lb")"
		echo "interface: eth0"
		echo "pin_dir: $(lab_pin_dir "$lb")"
		echo "xdp_mode: native"
		echo "gateway_mac: \"$gateway_mac\"   # the router's br0: every encapsulated packet goes back through it"
		echo "mtu: $LAB_FABRIC_MTU"
		echo "encap: { source_v4: $LAB_ENCAP_SRC_V4, source_v6: \"$LAB_ENCAP_SRC_V6\" }"
		echo "status_file: $LAB_RUN_DIR/status-$lb.json"
		echo "admin: { socket: $(lab_admin_socket "$lb") }"
		if lab_fleet; then
			echo "bgp: { device: $LAB_BGP_DEVICE, table: $LAB_BGP_TABLE, host_state_file: $LAB_RUN_DIR/host-state-$lb.json }"
		fi
		echo "vips:"
		local vip name addr_of
		for vip in "web:$LAB_VIP_V4" "web6:$LAB_VIP_V6"; do
			name=${vip%%:*}
			[[ " $only " == *" $name "* ]] || continue
			# The v6 VIP uses the backends' v6 addresses (IPv6-in-IPv6).
			addr_of=lab_v4
			[[ $name == web6 ]] && addr_of=lab_v6
			echo "  - name: $name"
			echo "    address: \"${vip#*:}\""
			echo "    port: 80"
			echo "    protocol: tcp"
			echo "    table_size: 65537"
			[[ -n $vip_extra ]] && printf '%s\n' "$vip_extra" | sed 's/^/    /'
			echo "    backends:"
			for be in "${LAB_BACKENDS[@]}"; do
				echo "      - { address: \"$($addr_of "$be")\" }"
			done
		done
	} >"$file"
}

# The command that runs sluiced, one word per line: $SLUICED when set (the
# installed /usr/sbin/sluiced: the package drives the lab), else java -jar on the
# build's jar with the package's JVM options ($LAB_JVM_OPTIONS names another
# options file: bench/daemon-idle.sh compares them).
lab_sluiced_command() {
	local jar
	if [[ -n ${SLUICED:-} ]]; then
		printf '%s\n' "$SLUICED"
		return 0
	fi
	jar=$(lab_jar) || return 1
	# The package's JVM options (packaging/jvm.options), so the lab runs what ships.
	printf '%s\n' java "@${LAB_JVM_OPTIONS:-$LAB_REPO_DIR/packaging/jvm.options}" -jar "$jar"
}

# Run the sluice CLI: $SLUICE_CLI when set (the installed /usr/bin/sluice), else the
# build's jar.
lab_sluice_cli() {
	local jar
	if [[ -n ${SLUICE_CLI:-} ]]; then
		"$SLUICE_CLI" "$@"
		return
	fi
	jar=$(lab_jar) || return 1
	java -cp "$jar" io.sluice.lb.cli.SluiceCli "$@"
}

# The admin API socket of an LB host's daemon (one per host and per LAB_PREFIX).
lab_admin_socket() { printf '%s/admin-%s.sock' "$LAB_RUN_DIR" "$1"; }

# Wait (bounded) until no backend of the VIP named NAME is in slow start on each LB host given, as
# its daemon's status file says (every backend, discovered ones too; rewritten every second). A
# check that restarts or crashes a daemon and expects the tables it leaves to be the ones it finds
# needs them settled first: a restart during a fill resumes the ramp, whose next step swaps a table.
lab_wait_fills_done() { # vip-name timeout_s lb...
	local vip=$1 timeout_s=$2 lb settled deadline
	shift 2
	deadline=$((SECONDS + timeout_s))
	while ((SECONDS < deadline)); do
		settled=1
		for lb in "$@"; do
			"$LAB_PYTHON" -c '
import json, sys
vips = [v for v in json.load(open(sys.argv[1]))["vips"] if v["name"] == sys.argv[2]]
sys.exit(0 if vips and all(b["drain_state"] != "filling" for v in vips for b in v["backends"]) else 1)' \
				"$LAB_RUN_DIR/status-$lb.json" "$vip" 2>/dev/null || settled=0
		done
		((settled)) && return 0
		sleep 0.5
	done
	return 1
}

# The sluice CLI talking to one LB host's daemon: lab_sluice lb1 vip list
lab_sluice() {
	local lb=$1
	shift
	SLUICE_ADMIN_SOCKET=$(lab_admin_socket "$lb") lab_sluice_cli "$@"
}

# Start sluiced in an LB host's network namespace (log: LAB_RUN_DIR/sluiced-<lb>.log).
lab_start_daemon() {
	local lb=$1 config=$2 cmd
	mapfile -t cmd < <(lab_sluiced_command)
	((${#cmd[@]})) || lab_die "no daemon: build it with mvn -pl lb -am package, or set SLUICED"
	# SIGHUP at its default whoever ran the tests (nohup ignores it, and an ignored signal stays
	# ignored across exec: the JVM would then never see a reload).
	cmd=(env --default-signal=HUP "${cmd[@]}")
	if [[ -n ${LAB_WATCHDOG_SEC:-} ]]; then
		# systemd's watchdog, as the unit sets it (WatchdogSec): lab/watchdog.py plays systemd.
		lab_running "watchdog-$lb" || lab_start "$lb" "watchdog-$lb" "$LAB_PYTHON" "$LAB_DIR/watchdog.py" \
			--socket "$(lab_notify_socket "$lb")" --pid-file "$LAB_RUN_DIR/sluiced-$lb.pid" --timeout "$LAB_WATCHDOG_SEC"
		cmd=(env NOTIFY_SOCKET="$(lab_notify_socket "$lb")" WATCHDOG_USEC=$((LAB_WATCHDOG_SEC * 1000000)) "${cmd[@]}")
	fi
	if lab_fleet; then
		# Each LB host of the fleet has its own host name (Consul's lb_host meta, fleet check's HOST):
		# a UTS namespace per daemon. unshare and sh exec, so the recorded PID stays sluiced's.
		cmd=(unshare --uts sh -c 'hostname "$0" && exec "$@"' "$(lab_ns "$lb")" "${cmd[@]}")
	fi
	lab_start "$lb" "sluiced-$lb" "${cmd[@]}" --config "$config"
}

lab_notify_socket() { printf '%s/notify-%s.sock' "$LAB_RUN_DIR" "$1"; }

# Wait (bounded) for the n-th `event=ready` line of an LB host's daemon log.
lab_wait_ready() {
	local lb=$1 nth=${2:-1} timeout_s=${3:-60} deadline log
	log="$LAB_RUN_DIR/sluiced-$lb.log"
	deadline=$((SECONDS + timeout_s))
	while ((SECONDS < deadline)); do
		(($(grep -c 'event=ready' "$log" 2>/dev/null || true) >= nth)) && return 0
		lab_running "sluiced-$lb" || return 1
		sleep 0.2
	done
	return 1
}

# Remove the balancer and its pins (the daemon's own one-shot command).
lab_detach_daemon() {
	local lb=$1 config=$2 cmd
	mapfile -t cmd < <(lab_sluiced_command)
	((${#cmd[@]})) || return 0
	[[ -f $config ]] || return 0
	lab_ns_exists "$lb" || return 0
	timeout 60 nsenter --net="/run/netns/$(lab_ns "$lb")" "${cmd[@]}" --config "$config" --detach \
		>>"$LAB_RUN_DIR/sluiced-$lb.log" 2>&1 || true
}

# The lab up, a server on every backend and on the LB host, and sluiced on that host, ready
# (one LB host). On failure prints the reason (and the daemon log's tail to stderr), returns 1.
lab_start_balancing() {
	local lb=$1 config=$2 vip_port=$3 lb_port=$4 timeout_s=${5:-60} log
	log="$LAB_RUN_DIR/sluiced-$lb.log"
	lab_up || { echo "lab up failed"; return 1; }
	lab_start_servers "$vip_port" "$lb_port" || return 1
	lab_write_config "$lb" "$config"
	: >"$log"
	lab_start_daemon "$lb" "$config"
	lab_wait_ready "$lb" 1 "$timeout_s" && return 0
	if lab_running "sluiced-$lb"; then
		echo "sluiced did not become ready within ${timeout_s}s"
	else
		echo "sluiced exited before it was ready: $(grep -m1 -E 'ERROR|Error|Exception' "$log" | cut -c1-300)"
	fi
	tail -n 30 "$log" >&2
	return 1
}

# --- traffic ------------------------------------------------------------------

LAB_CLIENT_TIMEOUT_S=${LAB_CLIENT_TIMEOUT_S:-90}   # outer bound on any one client run

# lab/client.py run from the client namespace; prints its JSON summary, or a
# summary of one failure when it printed none (killed by the outer timeout).
lab_client() {
	local out status=0
	out=$(timeout "$LAB_CLIENT_TIMEOUT_S" nsenter --net="/run/netns/$(lab_ns client)" \
		"$LAB_PYTHON" "$LAB_DIR/client.py" "$@") || status=$?
	if [[ -z $out ]]; then
		out='{"target": "?", "port": 0, "attempted": 1, "succeeded": 0, "failed": 1, "per_backend": {},'
		out+=' "failures": {"client.py printed no summary (exit '"$status"')": 1}, "seconds": 0, "source_port": 0, "sequence": []}'
	fi
	printf '%s\n' "$out"
	return "$status"
}

# One call to an LB host's Consul agent (the lab's double on 127.0.0.1:8500), from inside its
# namespace; a BODY of @FILE sends the file.
lab_consul() { # lb METHOD PATH [BODY]
	lab_in "$1" curl -sS --max-time 5 -X "$2" ${4:+--data-binary "$4"} "http://127.0.0.1:8500$3"
}

# Evaluate a Python expression over a client JSON summary bound to `s`.
lab_json() {
	"$LAB_PYTHON" -c 'import json, sys; s = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# Fails, listing what to build, when the objects or the daemon jar are missing.
lab_check_built() {
	local missing=()
	lab_bpf_object decap >/dev/null || missing+=("bpf-xdp/out/decap.o (make -C bpf-xdp)")
	lab_bpf_object xdp_pass >/dev/null || missing+=("bpf-xdp/out/xdp_pass.o (make -C bpf-xdp)")
	lab_jar >/dev/null || missing+=("lb/target/sluice-lb-*.jar (mvn -pl lb -am package)")
	command -v java >/dev/null || missing+=("java (a JDK 17 runtime)")
	[[ -x $LAB_PYTHON ]] || missing+=("$LAB_PYTHON")
	((${#missing[@]} == 0)) && return 0
	printf 'missing, build or install first:\n' >&2
	printf '  - %s\n' "${missing[@]}" >&2
	return 1
}

# Backend servers on every backend (the VIP port) and one on the LB host's own
# address (a non-VIP service whose traffic XDP must pass).
lab_start_servers() {
	local vip_port=$1 lb_port=$2 be lb=${LAB_LB_HOSTS[0]}
	for be in "${LAB_BACKENDS[@]}"; do
		lab_start "$be" "server-$be" "$LAB_PYTHON" "$LAB_DIR/backend_server.py" --name "$be" --port "$vip_port"
	done
	lab_start "$lb" "server-$lb" "$LAB_PYTHON" "$LAB_DIR/backend_server.py" --name "$lb" --port "$lb_port"
	for be in "${LAB_BACKENDS[@]}"; do
		lab_wait_listening "$be" "$vip_port" || { echo "backend server on $be did not start"; return 1; }
	done
	lab_wait_listening "$lb" "$lb_port" || { echo "server on $lb did not start"; return 1; }
}

# shellcheck source=lab/bird.sh
source "$LAB_DIR/bird.sh"
# shellcheck source=lab/tor.sh
source "$LAB_DIR/tor.sh"
