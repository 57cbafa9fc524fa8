/* Workload for the --attach tests: waits argv[3] ms (so the profiler attaches), then makes
 * argv[1] writes to /dev/null and argv[1] mallocs (from count_events), forks argv[2] children
 * that exit at once, and lingers 300 ms. Build: gcc -O1 -fno-omit-frame-pointer. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static void count_events(int fd, int n)
{
	for (int i = 0; i < n; i++) {
		void *volatile p = malloc(100 + i % 50);
		if (write(fd, "x", 1) != 1)
			exit(1);
		free(p);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int forks = argc > 2 ? atoi(argv[2]) : 0;
	usleep((argc > 3 ? atoi(argv[3]) : 700) * 1000);
	count_events(open("/dev/null", O_WRONLY), n);
	for (int i = 0; i < forks; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
	}
	usleep(300000);
	return 0;
}
