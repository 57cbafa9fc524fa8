/* Recursion deeper than the kernel's 127-frame stack limit: main -> descend x DEPTH -> spin.
   Build with -O1 -fno-omit-frame-pointer. Usage: recurse-deep [seconds] [depth]. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) static void spin(double end) {
  while (now() < end)
    for (int i = 0; i < 100000; i++) sink += i;
}
__attribute__((noinline)) static void descend(int depth, double end) {
  if (depth == 0) spin(end);
  else descend(depth - 1, end);
  sink++; /* not a tail call */
}
int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  int depth = argc > 2 ? atoi(argv[2]) : 200;
  descend(depth, now() + secs);
  return 0;
}
