/* Context-switch-heavy workload for the off-CPU benchmark: two threads pass a byte back and forth
 * through two pipes for argv[1] seconds (default 10), so each blocks and wakes the other about
 * 50-100k times a second, after waiting argv[2] ms (default 0: a profiler can attach to its pid).
 * Prints the round trips made. Build: gcc -O2 -pthread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int ab[2], ba[2];
static volatile int stop;

static void *echo(void *arg)
{
	char c;
	(void)arg;
	while (read(ab[0], &c, 1) == 1 && write(ba[1], &c, 1) == 1)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10;
	struct timespec t0, t;
	pthread_t th;
	unsigned long trips = 0;
	char c = 'x';
	if (argc > 2)
		usleep(atoi(argv[2]) * 1000);
	if (pipe(ab) || pipe(ba) || pthread_create(&th, NULL, echo, NULL))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
		if (++trips % 1024 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
				break;
		}
	}
	printf("%lu\n", trips);
	return 0;
}
