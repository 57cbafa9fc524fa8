/* A busy process for the symbolizer's hostile-file tests: spins in hostile_spin_inner for
   argv[1] seconds. Built with frame pointers, then stripped and given a crafted debuglink. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void hostile_spin_inner(void) {
  for (volatile int i = 0; i < 200000; i++) {
  }
}

int main(int argc, char **argv) {
  double end = now() + (argc > 1 ? atof(argv[1]) : 3.0);
  printf("ready\n");
  fflush(stdout);
  while (now() < end) hostile_spin_inner();
  return 0;
}
