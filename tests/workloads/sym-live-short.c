/* A short-lived process for the live symbol tests: spins argv[1] ms (default 30) in
   short_spin(), called from short_work(), then exits. Build with -fno-omit-frame-pointer. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) void short_spin(double end) {
  while (now() < end)
    for (int i = 0; i < 2000; i++) sink += i;
}
__attribute__((noinline)) void short_work(double ms) {
  short_spin(now() + ms / 1e3);
  sink++;
}
int main(int argc, char **argv) {
  short_work(argc > 1 ? atof(argv[1]) : 30);
  return 0;
}
