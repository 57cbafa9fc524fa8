/* The library sym-live-dlopen loads mid-run: plugin_spin() -> plugin_inner(). */
#include <time.h>

static volatile unsigned long sink;
/* Calls keep the spinning functions out of leaf position: GCC sets up no frame in a leaf, so
   a frame-pointer walk from there would skip its caller. */
__attribute__((noinline)) static void touch(void) { sink++; }
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) static void plugin_inner(void) {
  for (int i = 0; i < 100000; i++) sink += i;
  touch();
}
__attribute__((noinline)) void plugin_spin(double secs) {
  double end = now() + secs;
  while (now() < end) plugin_inner();
  sink++;
}
