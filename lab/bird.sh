# shellcheck shell=bash
# BGP in the lab (sourced by lib.sh): BIRD 2 on every LB host and on the router.
#
# Each LB host's BIRD learns sluice's VIP routes from kernel table LAB_BGP_TABLE (routes on the
# TUN device sluiced holds, see docs/bgp.md) and announces them to the router over eBGP (v4 and
# v6 sessions). The router's BIRD installs each VIP as one ECMP route over every LB host that
# announces it; the kernel spreads flows by their L4 hash (fib_multipath_hash_policy=1).

LAB_BGP_TABLE=4242
LAB_BGP_DEVICE=sluice-vips
LAB_ROUTER_AS=65000
LAB_LB_AS=65001
# Hold time on the sessions: how long a dead BIRD (not a dead sluiced) takes to be noticed.
LAB_BGP_HOLD_S=3
LAB_BIRD=${LAB_BIRD:-/usr/sbin/bird}
LAB_BIRDC=${LAB_BIRDC:-/usr/sbin/birdc}

lab_bird_socket() { printf '%s/bird-%s.ctl' "$LAB_RUN_DIR" "$1"; }
lab_birdc() {
	local host=$1
	shift
	"$LAB_BIRDC" -s "$(lab_bird_socket "$host")" "$@"
}

# Installs BIRD 2 when it is missing (the package the lab's BGP needs).
lab_bird_require() {
	[[ -x $LAB_BIRD && -x $LAB_BIRDC ]] && return 0
	lab_log "installing bird2 (BGP speaker for the multi-host lab)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bird2 >/dev/null ||
		lab_die "bird2 could not be installed"
	# The package may start a system-wide bird in the host namespace: the lab never needs it.
	if command -v systemctl >/dev/null && systemctl is-active -q bird 2>/dev/null; then
		systemctl stop bird 2>/dev/null || true
	fi
}

# The router's BIRD: a session per LB host and family; VIP host routes only; ECMP into the kernel.
lab_bird_router_config() {
	local lb
	cat <<-EOF
	# written by lab/bird.sh for $(lab_ns router)
	router id $LAB_ROUTER_FABRIC_V4;
	log stderr all;
	protocol device { }
	protocol kernel kernel4 { ipv4 { import none; export all; }; merge paths on; }
	protocol kernel kernel6 { ipv6 { import none; export all; }; merge paths on; }
	filter vips4 { if net ~ [ 10.100.0.0/16{32,32} ] then accept; reject; }
	filter vips6 { if net ~ [ fd00:100::/48{128,128} ] then accept; reject; }
	template bgp lb_host {
	    local as $LAB_ROUTER_AS;
	    hold time $LAB_BGP_HOLD_S; keepalive time 1; connect retry time 1; error wait time 1, 5;
	}
	EOF
	for lb in "${LAB_LB_HOSTS[@]}"; do
		cat <<-EOF
		protocol bgp ${lb}_v4 from lb_host {
		    neighbor $(lab_v4 "$lb") as $LAB_LB_AS;
		    ipv4 { import filter vips4; export none; };
		}
		protocol bgp ${lb}_v6 from lb_host {
		    neighbor $(lab_v6 "$lb") as $LAB_LB_AS;
		    ipv6 { import filter vips6; export none; };
		}
		EOF
	done
}

# An LB host's BIRD: learn sluice's table, announce it, import nothing.
lab_bird_lb_config() {
	local lb=$1
	cat <<-EOF
	# written by lab/bird.sh for $(lab_ns "$lb")
	router id $(lab_v4 "$lb");
	log stderr all;
	protocol device { }
	ipv4 table vips4;
	ipv6 table vips6;
	# sluiced's routes: one host route per announced VIP address, on its TUN device. When sluiced
	# dies the kernel deletes the device and the routes; BIRD withdraws at once.
	protocol kernel sluice4 { ipv4 { table vips4; import all; export none; }; kernel table $LAB_BGP_TABLE; learn; }
	protocol kernel sluice6 { ipv6 { table vips6; import all; export none; }; kernel table $LAB_BGP_TABLE; learn; }
	template bgp uplink {
	    local as $LAB_LB_AS;
	    hold time $LAB_BGP_HOLD_S; keepalive time 1; connect retry time 1; error wait time 1, 5;
	}
	protocol bgp router_v4 from uplink {
	    local $(lab_v4 "$lb"); neighbor $LAB_ROUTER_FABRIC_V4 as $LAB_ROUTER_AS;
	    ipv4 { table vips4; import none; export all; next hop self; };
	}
	protocol bgp router_v6 from uplink {
	    local $(lab_v6 "$lb"); neighbor $LAB_ROUTER_FABRIC_V6 as $LAB_ROUTER_AS;
	    ipv6 { table vips6; import none; export all; next hop self; };
	}
	EOF
}

lab_bird_start() {
	local host=$1 config="$LAB_RUN_DIR/bird-$1.conf"
	if [[ $host == router ]]; then lab_bird_router_config >"$config"; else lab_bird_lb_config "$host" >"$config"; fi
	"$LAB_BIRD" -p -c "$config" || lab_die "bird rejected $config"
	# -f: in the foreground, so lab_start records bird's own PID and lab_down stops exactly it.
	lab_start "$host" "bird-$host" "$LAB_BIRD" -f -c "$config" -s "$(lab_bird_socket "$host")"
}

# The router spreads flows over the LB hosts by the 5-tuple, not just the addresses.
lab_ecmp_sysctls() {
	lab_sysctl router net.ipv4.fib_multipath_hash_policy 1
	lab_sysctl router net.ipv6.fib_multipath_hash_policy 1
}

# BIRD everywhere; returns once every session is Established (bounded).
lab_bgp_up() {
	local host deadline
	lab_bird_require
	lab_ecmp_sysctls
	for host in "${LAB_LB_HOSTS[@]}"; do lab_bird_start "$host"; done
	lab_bird_start router
	deadline=$((SECONDS + 30))
	while ((SECONDS < deadline)); do
		(($(lab_birdc router show protocols 2>/dev/null | grep -c Established) == 2 * ${#LAB_LB_HOSTS[@]})) && {
			lab_log "bgp: every session established (${LAB_LB_HOSTS[*]} <-> router)"
			return 0
		}
		sleep 0.3
	done
	lab_birdc router show protocols >&2 || true
	lab_die "bgp sessions did not come up"
}

# The LB hosts the router's ECMP route for a VIP goes to now (their v4/v6 addresses, sorted).
lab_vip_nexthops() {
	local vip=$1 family=-4
	[[ $vip == *:* ]] && family=-6
	lab_in router ip "$family" route show "$vip" | grep -oE 'via [0-9a-f.:]+' | awk '{ print $2 }' | sort | xargs
}
