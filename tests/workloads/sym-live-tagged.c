/* A spinner whose function names carry a tag (-DTAG=real gives real_outer/real_inner), so two
   builds have the same code at the same addresses under different names. Static functions
   (only .symtab names them). Usage: sym-live-tagged [seconds] */
#include <stdlib.h>
#include <time.h>

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(x) CAT(TAG, x)

static volatile unsigned long sink;
/* Calls keep the spinning functions out of leaf position: GCC sets up no frame in a leaf, so
   a frame-pointer walk from there would skip its caller. */
__attribute__((noinline)) static void touch(void) { sink++; }
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) static void FN(inner)(void) {
  for (int i = 0; i < 100000; i++) sink += i;
  touch();
}
__attribute__((noinline)) static void FN(outer)(void) {
  FN(inner)();
  sink++;
}
int main(int argc, char **argv) {
  double end = now() + (argc > 1 ? atof(argv[1]) : 2.0);
  while (now() < end) FN(outer)();
  return 0;
}
