/* Lifecycle workload: spins in before_exec() for argv[2] seconds, then execs argv[1]
   (exec-b), keeping its pid. Usage: exec-a PATH_TO_EXEC_B SECONDS */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) void before_exec(double secs) {
  double end = now() + secs;
  while (now() < end)
    for (int i = 0; i < 100000; i++) sink += i;
}
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  before_exec(atof(argv[2]));
  execl(argv[1], argv[1], argv[2], (char *)0);
  return 1;
}
