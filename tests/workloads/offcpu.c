/* Workload for the off-CPU tests: per loop, main sleeps 70 ms in nanosleep (sleep_phase), blocks
 * 20 ms reading a pipe that a helper thread writes after 20 ms (pipe_phase), then spins 10 ms
 * (spin_phase). argv[1]: seconds (default 3). Build: gcc -O1 -fno-omit-frame-pointer -pthread. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int to_main[2], to_writer[2];
static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
	char c;
	(void)arg;
	while (read(to_writer[0], &c, 1) == 1) {
		struct timespec d = { 0, 20 * 1000 * 1000 };
		nanosleep(&d, NULL);
		if (write(to_main[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

__attribute__((noinline)) static void sleep_phase(void)
{
	struct timespec d = { 0, 70 * 1000 * 1000 };
	nanosleep(&d, NULL);
}

__attribute__((noinline)) static void pipe_phase(void)
{
	char c = 'x';
	if (write(to_writer[1], &c, 1) == 1 && read(to_main[0], &c, 1) == 1)
		sink++;
}

__attribute__((noinline)) static void spin_phase(void)
{
	double end = now() + 0.010;
	while (now() < end)
		sink++;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 3.0);
	pthread_t t;
	if (pipe(to_main) || pipe(to_writer) || pthread_create(&t, NULL, writer, NULL))
		return 1;
	while (now() < end) {
		sleep_phase();
		pipe_phase();
		spin_phase();
	}
	return 0;
}
