/* A 200 ms process of known shape for the exec-storm tests: main -> burst_work -> burst_leaf
 * spins until argv[1] ms (default 200) of wall time have passed, then exits.
 * Build with gcc -O1 -fno-omit-frame-pointer. burst_leaf spins inline between clock reads, so
 * nearly every sample lands in it, below main;burst_work. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static double burst_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void burst_leaf(double end)
{
	while (burst_now() < end)
		for (unsigned long i = 0; i < 20000; i++)
			sink += i * 2654435761u;
}

__attribute__((noinline)) void burst_work(double ms)
{
	burst_leaf(burst_now() + ms / 1e3);
	sink++;
}

int main(int argc, char **argv)
{
	burst_work(argc > 1 ? atof(argv[1]) : 200);
	return 0;
}
