// SPDX-License-Identifier: GPL-2.0
/*
 * pps-gen: sends one IPv4 UDP frame, over and over, out of a network interface, using the
 * kernel's BPF_PROG_RUN live-frames mode (the mechanism of xdp-trafficgen, which only sends
 * IPv6 with a hop limit of 1, so nothing can route or DNAT its packets). Bounded twice: it
 * stops after COUNT packets or SECONDS seconds, whichever comes first, and prints what it sent
 * and the CPU time it used.
 *
 * usage: pps-gen OBJ IFNAME DST_MAC SRC_IP DST_IP SRC_PORT DST_PORT COUNT SECONDS
 * OBJ is pps-tx.o (program xdp_tx). The source MAC is the interface's own.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* 14 + 20 + 8 + 22 = 64 bytes on the wire without the FCS: a minimum-size frame (PPS_FRAME_BYTES
 * in pps.bpf.c). */
#define PAYLOAD_BYTES 22
#define FRAME_BYTES (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr) + PAYLOAD_BYTES)
_Static_assert(FRAME_BYTES == 64, "pps.bpf.c copies 64 bytes");
/* Repeats per BPF_PROG_RUN call: one call is a few ms, so the time bound is checked often. */
#define REPEAT_PER_CALL (1u << 16)
/* Frames the kernel transmits per batch in live-frames mode (its maximum is 256). */
#define LIVE_BATCH 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t ip_checksum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;
	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int parse_mac(const char *text, uint8_t mac[ETH_ALEN])
{
	return sscanf(text, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
		      &mac[5]) == ETH_ALEN ? 0 : -1;
}

static int own_mac(const char *ifname, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int err = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (err)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: %s OBJ IFNAME DST_MAC SRC_IP DST_IP SRC_PORT DST_PORT COUNT SECONDS\n", argv[0]);
		return 2;
	}
	const char *ifname = argv[2];
	unsigned long long count = strtoull(argv[8], NULL, 10);
	double seconds = atof(argv[9]);
	unsigned int ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "pps-gen: no interface %s\n", ifname);
		return 1;
	}

	uint8_t frame[FRAME_BYTES] = {0};
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	if (parse_mac(argv[3], eth->h_dest) || own_mac(ifname, eth->h_source)) {
		fprintf(stderr, "pps-gen: bad destination MAC %s or no MAC on %s\n", argv[3], ifname);
		return 1;
	}
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + PAYLOAD_BYTES);
	if (inet_pton(AF_INET, argv[4], &ip->saddr) != 1 || inet_pton(AF_INET, argv[5], &ip->daddr) != 1) {
		fprintf(stderr, "pps-gen: bad IPv4 address %s or %s\n", argv[4], argv[5]);
		return 1;
	}
	ip->check = ip_checksum(ip, sizeof(*ip));
	udp->source = htons(atoi(argv[6]));
	udp->dest = htons(atoi(argv[7]));
	udp->len = htons(sizeof(*udp) + PAYLOAD_BYTES);
	udp->check = 0; /* optional for IPv4 */

	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "pps-gen: cannot load %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "xdp_tx");
	if (!prog) {
		fprintf(stderr, "pps-gen: no program xdp_tx in %s\n", argv[1]);
		return 1;
	}
	/* The program rewrites every recycled frame from this copy (see pps.bpf.c). */
	struct bpf_map *frame_map = bpf_object__find_map_by_name(obj, "pps_frame");
	uint32_t zero = 0;
	if (!frame_map || bpf_map_update_elem(bpf_map__fd(frame_map), &zero, frame, BPF_ANY)) {
		fprintf(stderr, "pps-gen: cannot write the frame into map pps_frame of %s\n", argv[1]);
		return 1;
	}
	struct xdp_md ctx = {.ingress_ifindex = ifindex, .data_end = FRAME_BYTES};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = FRAME_BYTES, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = LIVE_BATCH);

	unsigned long long sent = 0;
	double start = now_s(), deadline = start + seconds;
	while (sent < count && now_s() < deadline) {
		unsigned long long left = count - sent;
		opts.repeat = left < REPEAT_PER_CALL ? (unsigned int)left : REPEAT_PER_CALL;
		int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
		if (err) {
			fprintf(stderr, "pps-gen: BPF_PROG_RUN (live frames) on %s failed: %s\n", ifname, strerror(-err));
			return 1;
		}
		sent += opts.repeat;
	}
	double elapsed = now_s() - start;
	/* The frames' whole path runs in softirq on this CPU when each batch ends, charged to this
	 * process (unless the kernel defers it to ksoftirqd: bench/pps.sh adds that thread's time). */
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
		     usage.ru_stime.tv_usec / 1e6;
	printf("sent=%llu seconds=%.3f cpu=%.3f pps=%.0f\n", sent, elapsed, cpu, sent / elapsed);
	bpf_object__close(obj);
	return 0;
}
