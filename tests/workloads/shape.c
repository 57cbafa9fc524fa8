/* A CPU workload of known shape for profiler tests: hot() ~60%, warm() ~30%, cool() ~10%.
   Build with -O1 -fno-omit-frame-pointer. Usage: shape [seconds] (default 2). */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

/* Each function spins on its own so it is the leaf frame of its samples (no tail calls). */
#define SPIN(n) for (unsigned long i = 0; i < (n); i++) sink += i * 2654435761u
__attribute__((noinline)) void hot(void) { SPIN(6000000); }
__attribute__((noinline)) void warm(void) { SPIN(3000000); }
__attribute__((noinline)) void cool(void) { SPIN(1000000); }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  double end = now() + secs;
  while (secs <= 0 || now() < end) {
    hot();
    warm();
    cool();
  }
  return 0;
}
