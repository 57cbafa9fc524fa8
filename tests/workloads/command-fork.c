/* Workload for `flametui … -- COMMAND` tests: spins for given amounts of CPU time (not wall
 * time, so a loaded machine changes nothing but how long it takes) in distinct functions.
 *   fork S CODE    fork; the child spins S s in child_spin, the parent S s in parent_spin; exit CODE
 *   early MS       spin MS ms in early_spin right at the start of main, then return 0
 *   phases A B     A ms in phase_a, then B ms in phase_b
 *   term MS        spin MS ms in parent_spin, then raise SIGTERM
 *   forever        spin in parent_spin until a signal ends it
 *   spawn MS       posix_spawn (vfork) itself as `early MS`, wait, then spin MS ms in parent_spin */
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double cpu_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

#define SPIN(name, op)                                          \
	__attribute__((noinline)) void name(double ms) {            \
		double end = cpu_ms() + ms;                             \
		do {                                                    \
			for (int i = 0; i < 20000; i++) sink op i;          \
		} while (ms < 0 || cpu_ms() < end);                     \
	}

SPIN(early_spin, +=)
SPIN(child_spin, ^=)
SPIN(parent_spin, -=)
SPIN(phase_a, |=)
SPIN(phase_b, &=)

int main(int argc, char **argv) {
	if (argc >= 3 && strcmp(argv[1], "early") == 0) {
		early_spin(atof(argv[2]));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "fork") == 0) {
		double ms = atof(argv[2]) * 1e3;
		pid_t p = fork();
		if (p == 0) {
			child_spin(ms);
			_exit(0);
		}
		parent_spin(ms);
		waitpid(p, NULL, 0);
		return atoi(argv[3]);
	}
	if (argc >= 4 && strcmp(argv[1], "phases") == 0) {
		phase_a(atof(argv[2]));
		phase_b(atof(argv[3]));
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "term") == 0) {
		parent_spin(atof(argv[2]));
		raise(SIGTERM);
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "spawn") == 0) {
		char *args[] = {argv[0], "early", argv[2], NULL};
		pid_t p;
		if (posix_spawn(&p, "/proc/self/exe", NULL, NULL, args, NULL) != 0) return 65;
		waitpid(p, NULL, 0);
		parent_spin(atof(argv[2]));
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "forever") == 0) parent_spin(-1);
	return 64;
}
