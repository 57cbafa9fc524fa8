/* Short-lived forked children for the live symbol tests: forks argv[2] children (default 40),
   50 ms apart; each spins argv[1] ms (default 30) in fork_spin(), called from fork_work(),
   then exits, or execs argv[3] with the remaining arguments when given. The parent sleeps.
   Build with -fno-omit-frame-pointer. */
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) void fork_spin(double end) {
  while (now() < end)
    for (int i = 0; i < 2000; i++) sink += i;
}
__attribute__((noinline)) void fork_work(double ms) {
  fork_spin(now() + ms / 1e3);
  sink++;
}
int main(int argc, char **argv) {
  double ms = argc > 1 ? atof(argv[1]) : 30;
  int n = argc > 2 ? atoi(argv[2]) : 40;
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      fork_work(ms);
      if (argc > 3) execv(argv[3], argv + 3);
      _exit(0);
    }
    usleep(50000);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
  }
  while (wait(NULL) > 0) {
  }
  return 0;
}
