/* Exec storm for the short-lived process tests: for argv[1] seconds, starts argv[3...] (a
 * command line) argv[2] times a second by fork + exec, reaping children as they exit.
 * Prints the number of children started. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: exec-storm SECONDS PER_SECOND COMMAND...\n");
		return 2;
	}
	double seconds = atof(argv[1]), rate = atof(argv[2]);
	double start = now(), next = start;
	long started = 0;
	while (now() - start < seconds) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		double t = now();
		if (t < next) {
			struct timespec ts = { 0, (long)((next - t) * 1e9) };
			nanosleep(&ts, NULL);
			continue;
		}
		next += 1 / rate;
		pid_t pid = fork();
		if (pid == 0) {
			execv(argv[3], argv + 3);
			_exit(127);
		}
		if (pid > 0)
			started++;
	}
	while (wait(NULL) > 0)
		;
	printf("%ld\n", started);
	return 0;
}
