/*
 * The floor for bench/health.sh: the least a TCP connect check can cost. It does what the engine's
 * TCP check does at the kernel level and nothing else: a non-blocking connect to each target in
 * turn at a fixed rate, waits (epoll) for the handshake, and closes with SO_LINGER 0 (RST).
 * No Java, no Netty, no timers beyond one tick per millisecond.
 *
 *   connect_floor <first-ipv4> <targets> <port> <rate-per-second> <seconds> <warmup-seconds>
 *
 * Targets are first-ipv4 + k, skipping .0 and .251-.255 in the last octet the way the Java bench
 * numbers them (250 hosts per /24, .1-.250). Prints one markdown table: connects/s, failures,
 * user/system CPU of this process (getrusage) over the measured window, latency p50/p99/max,
 * and how many connects started more than 1 ms after their slot (late).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HOSTS_PER_OCTET 250
#define TIMEOUT_NS 1000000000LL
#define MAX_EVENTS 256
#define TICK_NS 1000000LL
/* Starts per loop turn: a floor that fell behind catches up in small steps, reaping as it goes. */
#define MAX_STARTS_PER_TURN 64

struct pending {
    int fd;
    int64_t started;
    int64_t slot;
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t cpu_us(const struct timeval *tv) {
    return (int64_t)tv->tv_sec * 1000000LL + tv->tv_usec;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t target_address(uint32_t first, int index) {
    /* first is a.b.0.1 style: third octet = index / 250, fourth = 1 + index % 250 */
    uint32_t base = first & 0xffff0000u;
    return base | ((uint32_t)(index / HOSTS_PER_OCTET) << 8) | (uint32_t)(1 + index % HOSTS_PER_OCTET);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s <first-ipv4> <targets> <port> <rate> <seconds> <warmup-seconds>\n", argv[0]);
        return 2;
    }
    struct in_addr first;
    if (inet_pton(AF_INET, argv[1], &first) != 1) {
        fprintf(stderr, "first-ipv4: not an IPv4 address: %s\n", argv[1]);
        return 2;
    }
    int targets = atoi(argv[2]), port = atoi(argv[3]), rate = atoi(argv[4]);
    int seconds = atoi(argv[5]), warmup = atoi(argv[6]);
    if (targets < 1 || port < 1 || port > 65535 || rate < 1 || seconds < 1 || seconds > 120 || warmup < 0) {
        fprintf(stderr, "targets, port, rate, seconds (1-120) or warmup out of range\n");
        return 2;
    }
    uint32_t first_host = ntohl(first.s_addr);
    int ep = epoll_create1(0);
    struct pending *slots = calloc((size_t)rate * 2 + 1024, sizeof *slots); /* in flight <= rate x timeout */
    int capacity = rate * 2 + 1024;
    int *free_list = malloc(sizeof(int) * capacity);
    int free_top = 0;
    for (int i = capacity - 1; i >= 0; i--) free_list[free_top++] = i;
    size_t lat_cap = (size_t)rate * seconds + 1024, lat_n = 0;
    int64_t *latencies = malloc(sizeof(int64_t) * lat_cap);
    long started = 0, passed = 0, failed = 0, late = 0, measured_started = 0;
    int next_target = 0;
    struct linger abortive = {1, 0};
    int64_t begin = now_ns();
    int64_t measure_from = begin + (int64_t)warmup * 1000000000LL;
    int64_t end = begin + (int64_t)seconds * 1000000000LL;
    struct rusage ru_start = {0}, ru_end;
    int measuring = 0;
    int64_t measured_at = 0;
    double per_ns = rate / 1e9;
    struct epoll_event events[MAX_EVENTS];

    for (;;) {
        int64_t t = now_ns();
        if (!measuring && t >= measure_from) {
            getrusage(RUSAGE_SELF, &ru_start);
            measuring = 1;
            measured_at = t;
        }
        if (t >= end) break;
        /* start every connect whose slot has come */
        long due = (long)((t - begin) * per_ns) + 1; /* slot k is due at begin + k / rate */
        int starts_this_turn = 0;
        while (started < due && free_top > 0 && starts_this_turn++ < MAX_STARTS_PER_TURN) {
            int64_t slot_time = begin + (int64_t)(started / per_ns);
            int idx = free_list[--free_top];
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            started++;
            if (fd < 0) { free_list[free_top++] = idx; failed++; continue; }
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
            sa.sin_addr.s_addr = htonl(target_address(first_host, next_target));
            next_target = (next_target + 1) % targets;
            int64_t s = now_ns();
            if (measuring) {
                measured_started++;
                if (s - slot_time > TICK_NS) late++;
            }
            int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
            if (rc == 0 || errno == EINPROGRESS) {
                slots[idx] = (struct pending){fd, s, slot_time};
                struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)idx};
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            } else {
                close(fd);
                free_list[free_top++] = idx;
                if (measuring) failed++;
            }
        }
        /* sleep until the next slot (at most one tick), with nanosecond precision */
        int64_t next_due = begin + (int64_t)(started / per_ns);
        int64_t wait_ns = next_due - now_ns();
        if (wait_ns < 0 || started < due) wait_ns = 0;
        if (wait_ns > TICK_NS) wait_ns = TICK_NS;
        struct timespec wait = {.tv_sec = 0, .tv_nsec = (long)wait_ns};
        int n = epoll_pwait2(ep, events, MAX_EVENTS, &wait, NULL);
        int64_t done_at = now_ns();
        for (int i = 0; i < n; i++) {
            int idx = (int)events[i].data.u32;
            struct pending *p = &slots[idx];
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
            close(p->fd); /* also removes it from the epoll set */
            if (measuring && p->started >= measured_at) {
                if (err == 0) passed++; else failed++;
                if (lat_n < lat_cap) latencies[lat_n++] = done_at - p->started;
            }
            p->fd = -1;
            free_list[free_top++] = idx;
        }
        /* time out connects older than TIMEOUT_NS (linear scan once per tick is plenty here) */
        static int64_t last_sweep;
        if (done_at - last_sweep > 10 * TICK_NS) {
            last_sweep = done_at;
            for (int i = 0; i < capacity; i++) {
                if (slots[i].fd > 0 && done_at - slots[i].started > TIMEOUT_NS) {
                    close(slots[i].fd);
                    slots[i].fd = -1;
                    free_list[free_top++] = i;
                    if (measuring) failed++;
                }
            }
        }
    }
    getrusage(RUSAGE_SELF, &ru_end);
    double window = (now_ns() - measured_at) / 1e9;
    double user = (cpu_us(&ru_end.ru_utime) - cpu_us(&ru_start.ru_utime)) / 1e6;
    double sys = (cpu_us(&ru_end.ru_stime) - cpu_us(&ru_start.ru_stime)) / 1e6;
    qsort(latencies, lat_n, sizeof(int64_t), cmp64);
    int64_t p50 = lat_n ? latencies[(lat_n - 1) / 2] : 0;
    int64_t p99 = lat_n ? latencies[(size_t)((lat_n - 1) * 0.99)] : 0;
    int64_t max = lat_n ? latencies[lat_n - 1] : 0;
    double done = (double)(passed + failed);
    printf("| metric | value |\n| --- | --- |\n");
    printf("| floor: connects | %ld (%.0f/s, %ld failed) |\n", passed + failed, done / window, failed);
    printf("| floor: process CPU | %.3f cores (user %.3f, sys %.3f) |\n", (user + sys) / window, user / window, sys / window);
    printf("| floor: CPU per connect | %.1f us (user %.1f, sys %.1f) |\n",
           done ? (user + sys) * 1e6 / done : 0, done ? user * 1e6 / done : 0, done ? sys * 1e6 / done : 0);
    printf("| floor: latency p50 / p99 / max | %.3f / %.3f / %.3f ms |\n", p50 / 1e6, p99 / 1e6, max / 1e6);
    printf("| floor: late starts (> 1 ms after slot) | %ld of %ld |\n", late, measured_started);
    return 0;
}
