# shellcheck shell=bash
# The router as a top-of-rack switch-router in XDP (LAB_ROUTER=xdp): sourced by lab/lib.sh.
#
# With LAB_ROUTER=kernel (the default) the router namespace bridges and routes in the kernel,
# as the lab always did. With LAB_ROUTER=xdp, bpf-xdp/lab_tor.c runs on every router port and
# forwards host-to-host frames (switched or routed) at the XDP stage, as a ToR's hardware would;
# what it does not forward (ARP, ND, no route, TTL, MTU) the kernel still handles. For the
# side-by-side benchmark (bench/run-all --router xdp): every path crosses the router, and the
# one-arm LB paths cross it twice.
#
# The program is loaded once and pinned with its maps under lab_tor_dir; each port attaches
# the pinned program. lab_tor_sync fills the maps from the router's neighbours and routes: call
# it again after adding a route (bench/run-all does, after its VIPs).

LAB_ROUTER=${LAB_ROUTER:-kernel}
[[ $LAB_ROUTER == kernel || $LAB_ROUTER == xdp ]] ||
	{ echo "[lab] error: LAB_ROUTER must be kernel or xdp" >&2; exit 2; }

lab_tor_dir() {
	if [[ $LAB_PREFIX == sl ]]; then
		printf '%s/sluice-lab-tor' "$LAB_BPFFS"
	else
		printf '%s/sluice-lab-%s-tor' "$LAB_BPFFS" "$LAB_PREFIX"
	fi
}

# Every router port: the client and attacker links, and one bridge port per fabric host.
lab_tor_ports() {
	local host
	echo eth-client
	echo eth-attacker
	for host in "${LAB_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do echo "$(lab_port "$host")"; done
}

# "IFINDEX MTU MAC" of a device, from one `ip -o link show`.
lab_link_facts() {
	lab_in "$1" ip -o link show dev "$2" |
		awk '{ for (i = 1; i < NF; i++) { if ($i == "mtu") mtu = $(i + 1); if ($i == "link/ether") mac = $(i + 1) }
		       sub(/:$/, "", $1); print $1, mtu, mac; exit }'
}

# Load, pin, attach to every router port (native only: a redirect needs native XDP on both
# sides), and xdp_pass on the client's and attacker's eth0 so that frames redirected to them
# are delivered. Hosts send full checksums: a redirected frame loses the skb's offload state.
lab_tor_up() {
	local obj pass dir dev host
	obj=$(lab_bpf_object lab_tor) || lab_die "lab_tor.o not built (make -C bpf-xdp)"
	pass=$(lab_bpf_object xdp_pass) || lab_die "xdp_pass.o not built (make -C bpf-xdp)"
	dir=$(lab_tor_dir)
	rm -rf "$dir"
	mkdir -p "$dir"
	bpftool prog load "$obj" "$dir/prog" type xdp pinmaps "$dir" ||
		lab_die "could not load $obj"
	while read -r dev; do
		lab_in router ip link set dev "$dev" xdpdrv pinned "$dir/prog" </dev/null ||
			lab_die "lab_tor must attach natively to router/$dev"
		echo "router/$dev lab_tor native" >>"$LAB_RUN_DIR/xdp-modes"
	done < <(lab_tor_ports)
	for host in client attacker; do
		lab_attach_xdp "$host" eth0 "$pass" native >/dev/null || lab_die "xdp_pass must attach natively to $host/eth0"
		echo "$host/eth0 xdp_pass native" >>"$LAB_RUN_DIR/xdp-modes"
	done
	for host in client attacker "${LAB_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do
		lab_in "$host" ethtool -K eth0 tx off >/dev/null
	done
	lab_tor_sync
}

# One line per map entry for lab/tor_maps.py:
#   port IFINDEX MAC | fdb MAC IFINDEX | route ADDRESS IFINDEX MTU DST_MAC SRC_MAC
lab_tor_entries() {
	local host ifindex mtu mac port_mac router_mac addr dst via
	declare -A hop_of=()
	router_mac=$(lab_mac router br0)
	for host in client attacker; do
		read -r ifindex mtu port_mac < <(lab_link_facts router "eth-$host")
		mac=$(lab_mac "$host" eth0)
		echo "port $ifindex $port_mac"
		for addr in $(lab_in "$host" ip -o addr show dev eth0 scope global | awk '{ sub(/\/.*/, "", $4); print $4 }'); do
			hop_of[$addr]="$ifindex $mtu $mac $port_mac"
		done
	done
	for host in "${LAB_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do
		read -r ifindex mtu _ < <(lab_link_facts router "$(lab_port "$host")")
		mac=$(lab_mac "$host" eth0)
		echo "port $ifindex $router_mac"
		echo "fdb $mac $ifindex"
		hop_of[$(lab_v4 "$host")]="$ifindex $mtu $mac $router_mac"
		hop_of[$(lab_v6 "$host")]="$ifindex $mtu $mac $router_mac"
	done
	for addr in "${!hop_of[@]}"; do echo "route $addr ${hop_of[$addr]}"; done
	# Host routes via a neighbour (the VIPs): "10.100.0.1 via 10.0.2.10 dev br0 ...".
	while read -r dst _ via _; do
		dst=${dst%/32}
		dst=${dst%/128}
		[[ -n ${hop_of[$via]:-} && $dst != */* && $dst != default ]] && echo "route $dst ${hop_of[$via]}"
	done < <(lab_in router ip -4 route show | awk '$2 == "via"'; lab_in router ip -6 route show | awk '$2 == "via"')
	return 0
}

# Add or update the maps' entries from the router as it is now.
lab_tor_sync() {
	local dir batch
	dir=$(lab_tor_dir)
	batch="$LAB_RUN_DIR/tor-maps.batch"
	lab_tor_entries | "$LAB_PYTHON" "$LAB_DIR/tor_maps.py" "$dir" >"$batch" || lab_die "tor_maps.py failed"
	bpftool batch file "$batch" >/dev/null || lab_die "bpftool batch $batch failed"
}

# The program's counters, summed over CPUs: "name value" lines.
lab_tor_stats() {
	bpftool -j map dump pinned "$(lab_tor_dir)/tor_stats" | "$LAB_PYTHON" "$LAB_DIR/tor_maps.py" --stats
}

lab_tor_down() { rm -rf "$(lab_tor_dir)"; }
