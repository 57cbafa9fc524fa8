/* A workload with deep and varied stacks for benchmarks: a recursive descent through eight
   distinct functions to depth 24-40, a CPU leaf, and a write(2) leaf for kernel frames.
   Build with -O1 -fno-omit-frame-pointer. Usage: deep [seconds]. */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static int devnull;
static char buf[4096];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void leaf_cpu(void) { for (int i = 0; i < 20000; i++) sink += i; }
__attribute__((noinline)) static void leaf_io(void) { if (write(devnull, buf, sizeof buf) < 0) sink++; }

typedef void (*step_fn)(int, unsigned);
static step_fn steps[8];
#define STEP(name)                                                        \
  __attribute__((noinline)) static void name(int depth, unsigned path) {  \
    if (depth == 0) {                                                     \
      if (path & 1) leaf_io(); else leaf_cpu();                           \
    } else {                                                              \
      steps[(path >> (depth % 29)) & 7](depth - 1, path * 2654435761u + 1); \
    }                                                                     \
    sink++;                                                               \
  }
STEP(parse) STEP(lower) STEP(plan) STEP(emit) STEP(check) STEP(fold) STEP(walk) STEP(visit)

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  devnull = open("/dev/null", O_WRONLY);
  step_fn all[8] = {parse, lower, plan, emit, check, fold, walk, visit};
  for (int i = 0; i < 8; i++) steps[i] = all[i];
  double end = now() + secs;
  for (unsigned n = 0; now() < end; n++) steps[n & 7](24 + (n % 17), n % 64);
  return 0;
}
