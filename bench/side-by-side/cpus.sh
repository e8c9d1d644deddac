# shellcheck shell=bash
# --cpus split for bench/run-all: the lab's hosts on one CPU, the network on the other.
#
# On an edge the client, the LB host and the servers are separate machines, and the ToR is
# hardware: the LB's packet work never takes CPU from the servers. In the lab, by default,
# every packet is handled in softirq on whichever CPU sent it, so the LB hop's receive, XDP and
# transmit run on the CPUs of wrk and nginx. Split mode moves each veth's receive (NAPI) into
# its own kernel thread (`/sys/class/net/DEV/threaded`) and pins it to the CPU of the host it
# belongs to:
#
#   host CPU (SBS_HOST_CPU)  wrk, nginx, and the receive threads of client/eth0 and be*/eth0
#   network CPU (SBS_NET_CPU) the ToR's ports (router/*), the LB host (lb1/eth0's receive thread,
#                            HAProxy with one thread, sluiced)
#
# What it also gives: the LB host's CPU, exactly. lb1/eth0's receive thread runs everything the
# kernel does for a packet arriving at the LB (the veth receive, XDP, XDP_TX; for HAProxy and
# nftables the TCP stack, conntrack, NAT and forwarding); its run time (/proc/PID/schedstat, ns)
# plus the LB's process is the LB host's CPU per request, kernel work included.
#
# Needs the ToR in XDP (--router xdp): every port then has an XDP program, so every veth has a
# NAPI instance to thread.

SBS_HOST_CPU=${SBS_HOST_CPU:-0}
SBS_NET_CPU=${SBS_NET_CPU:-1}

# PIDs of the kernel's threaded-NAPI threads, one per line, sorted as text (for comm).
sbs_napi_pids() { ps -e -o pid=,comm= | awk '$2 ~ /^napi\// { print $1 }' | sort; }

# Thread one device's receive; prints the PID(s) of the thread(s) it got. `ip netns exec`
# (not lab_in): it mounts the namespace's own sysfs, where the device is.
sbs_thread_device() {
	local ns=$1 dev=$2 before after
	before=$(sbs_napi_pids)
	ip netns exec "$(lab_ns "$ns")" sh -c "echo 1 >/sys/class/net/$dev/threaded" ||
		lab_die "could not thread $ns/$dev's receive"
	after=$(sbs_napi_pids)
	comm -13 <(echo "$before") <(echo "$after")
}

# Pin a process and all its threads.
sbs_pin() { taskset -a -c -p "$1" "$2" >/dev/null || lab_die "could not pin PID $2 to CPU $1"; }

# Thread every lab veth's receive and pin it; pin the lab's processes. Writes the LB host's and
# the ToR's receive-thread PIDs to $LAB_RUN_DIR/napi-lb.pids and napi-tor.pids.
sbs_split_cpus() {
	local host dev pids pid cpu
	[[ $LAB_ROUTER == xdp ]] || lab_die "--cpus split needs --router xdp"
	: >"$LAB_RUN_DIR/napi-lb.pids"
	: >"$LAB_RUN_DIR/napi-tor.pids"
	: >"$LAB_RUN_DIR/napi-threads"
	while read -r host dev; do
		pids=$(sbs_thread_device "$host" "$dev")
		[[ -n $pids ]] || lab_die "$host/$dev has no receive thread after threading (no XDP on it?)"
		case $host in
		router) cpu=$SBS_NET_CPU; echo "$pids" >>"$LAB_RUN_DIR/napi-tor.pids" ;;
		lb[0-9]*) cpu=$SBS_NET_CPU; echo "$pids" >>"$LAB_RUN_DIR/napi-lb.pids" ;;
		*) cpu=$SBS_HOST_CPU ;;
		esac
		for pid in $pids; do
			sbs_pin "$cpu" "$pid"
			echo "$host/$dev $(cat "/proc/$pid/comm") cpu $cpu" >>"$LAB_RUN_DIR/napi-threads"
		done
	done < <(
		echo "client eth0"
		for host in "${LAB_LB_HOSTS[@]}" "${LAB_BACKENDS[@]}"; do echo "$host eth0"; done
		lab_tor_ports | sed 's/^/router /'
	)
	for host in "${LAB_BACKENDS[@]}"; do sbs_pin "$SBS_HOST_CPU" "$(lab_pid "nginx-$host")"; done
	sbs_pin "$SBS_NET_CPU" "$(lab_pid haproxy)"
	sbs_pin "$SBS_NET_CPU" "$(lab_pid sluiced-lb1)"
}

# The lab of the one-backend --cpus split experiments (bench/experiments/*.sh), after lab/lib.sh
# and paths.sh are sourced: the ToR in XDP, be1 only, every path up, the CPUs split; detached and
# torn down when the script exits. lab_up's progress goes to stderr as usual (it writes nothing to
# stdout), so an experiment's output on stdout stays its own and a failed lab_up says why.
sbs_split_lab() {
	LAB_ROUTER=xdp
	LAB_BACKENDS=(be1)
	trap sbs_split_lab_down EXIT
	lab_up
	sbs_start_paths
	sbs_split_cpus
}
sbs_split_lab_down() { lab_detach_daemon lb1 "$LAB_RUN_DIR/sluiced-lb1.yaml" || true; lab_down || true; }

# Run time so far (ns) of the threads whose PIDs a file lists, summed.
sbs_threads_ns() {
	local pid total=0 ns
	while read -r pid; do
		[[ -n $pid ]] || continue
		read -r ns _ <"/proc/$pid/schedstat" 2>/dev/null || lab_die "receive thread $pid is gone (its device lost its XDP?)"
		total=$((total + ns))
	done <"$1"
	echo "$total"
}

# Run time so far (ns) of a process, all its threads.
sbs_process_ns() {
	local pid=$1 total=0 ns file
	for file in /proc/"$pid"/task/*/schedstat; do
		read -r ns _ <"$file" 2>/dev/null || continue
		total=$((total + ns))
	done
	echo "$total"
}

# Busy jiffies of one CPU (user nice system irq softirq steal).
sbs_cpu_busy() { awk -v cpu="cpu$1" '$1 == cpu { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# One sample of the CPU figures every run records: "LB_RECEIVE_NS TOR_RECEIVE_NS SLUICED_NS
# HAPROXY_NS HOST_CPU_TICKS NET_CPU_TICKS". The receive threads exist with --cpus split only
# (0 otherwise).
sbs_split_sample() {
	local lb=0 tor=0
	if [[ -s $LAB_RUN_DIR/napi-lb.pids ]]; then
		lb=$(sbs_threads_ns "$LAB_RUN_DIR/napi-lb.pids")
		tor=$(sbs_threads_ns "$LAB_RUN_DIR/napi-tor.pids")
	fi
	echo "$lb $tor $(sbs_process_ns "$SLUICED_PID") $(sbs_process_ns "$HAPROXY_PID") $(sbs_cpu_busy "$SBS_HOST_CPU") $(sbs_cpu_busy "$SBS_NET_CPU")"
}

# Both samples whole (a sample taken in a subshell cannot stop the run itself).
sbs_check_samples() {
	local sample
	for sample in "$@"; do
		[[ $sample =~ ^[0-9]+( [0-9]+){5}$ ]] || lab_die "incomplete CPU sample '$sample' (a receive thread or process gone?)"
	done
}

# The JSON fields (each followed by ", ") for the difference of two samples.
sbs_split_fields() {
	local a b names=(lb_receive_ns tor_receive_ns sluiced_ns haproxy_ns host_cpu_ticks net_cpu_ticks) i
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	for i in "${!names[@]}"; do printf '"%s": %s, ' "${names[$i]}" $((b[i] - a[i])); done
	printf '"cpus": "%s", ' "$CPUS"
}
