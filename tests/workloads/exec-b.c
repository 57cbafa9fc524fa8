/* Lifecycle workload, the image exec-a turns into: spins in after_exec() for argv[1] seconds. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) void after_exec(double secs) {
  double end = now() + secs;
  while (now() < end)
    for (int i = 0; i < 100000; i++) sink ^= i;
}
int main(int argc, char **argv) {
  after_exec(argc > 1 ? atof(argv[1]) : 1.0);
  return 0;
}
