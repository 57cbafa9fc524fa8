/* Spins 0.5 s in main_spin(), then dlopen()s argv[1] and spins argv[2] seconds in its
   plugin_spin(): a library that appears mid-run. Link with -ldl. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) void main_spin(double secs) {
  double end = now() + secs;
  while (now() < end)
    for (int i = 0; i < 100000; i++) sink += i;
}
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  main_spin(0.5);
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  void (*spin)(double) = (void (*)(double))dlsym(h, "plugin_spin");
  if (!spin) return 1;
  spin(atof(argv[2]));
  return 0;
}
