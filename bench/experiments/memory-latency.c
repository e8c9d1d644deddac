/*
 * One dependent load at a random cache line of a region, with 4 KB or 2 MB pages: where this
 * machine's caches end and whether the TLB matters (docs/BENCHMARKS.md, "A new flow: the
 * program's part and the machine's memory"). The benchmark's own probe is MemoryLatencyProbe
 * (4 KB pages only); this one also asks for huge pages.
 *
 *   gcc -O2 -o /tmp/memory-latency bench/experiments/memory-latency.c
 *   for mb in 1 2 3 4 8 26; do for huge in 0 1; do taskset -c 1 /tmp/memory-latency $((mb << 20)) $huge; done; done
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64
#define HUGE_PAGE (2UL << 20)
#define LOADS 5000000UL

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s REGION-BYTES HUGE(0|1)\n", argv[0]);
		return 2;
	}
	size_t size = strtoull(argv[1], NULL, 0) / LINE * LINE;
	int huge = atoi(argv[2]);
	size_t lines = size / LINE;
	if (lines < 2) {
		fprintf(stderr, "region of at least two lines\n");
		return 2;
	}
	char *raw = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	char *region = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	madvise(region, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);

	/* Lines in a random order, each pointing at the next: one cycle through all of them. */
	size_t *order = malloc(lines * sizeof(*order));
	for (size_t i = 0; i < lines; i++)
		order[i] = i;
	srand(1);
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = ((size_t)rand() * RAND_MAX + rand()) % (i + 1);
		size_t swap = order[i];
		order[i] = order[j];
		order[j] = swap;
	}
	for (size_t i = 0; i < lines; i++)
		*(char **)(region + order[i] * LINE) = region + order[(i + 1) % lines] * LINE;

	char *p = region;
	for (size_t i = 0; i < LOADS; i++)   /* warm-up: pages faulted in, caches at steady state */
		p = *(char **)p;
	double start = now_ns();
	for (size_t i = 0; i < LOADS; i++)
		p = *(char **)p;
	double elapsed = now_ns() - start;
	printf("%zu KB, huge pages %s: %.1f ns per load (%p)\n", size >> 10, huge ? "asked" : "off",
	       elapsed / LOADS, (void *)p);
	return 0;
}
