/* Perf-agreement workload: deep call chains that cycle through this binary, libsymlive-a.so
   and libsymlive-b.so (main -> a -> b -> main ...), 19-21 deep, ending in a CPU leaf in one of
   them, in libm (cos/exp) or in libc's qsort calling back here. Six chains, so two profilers that
   sample different instants still see the same ones. Usage: sym-live-main [seconds] */
#include <stdlib.h>
#include <time.h>

void a_descend(int depth, int kind);
void b_register(void (*fn)(int, int));

volatile unsigned long main_sink;
static int numbers[512];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static int main_compare(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  main_sink++;
  return (x > y) - (x < y);
}

__attribute__((noinline)) static void main_sort(void) {
  for (int i = 0; i < 512; i++) numbers[i] = (i * 7919) % 512;
  qsort(numbers, 512, sizeof numbers[0], main_compare);
  main_sink++;
}

__attribute__((noinline)) static void main_leaf(void) {
  for (int i = 0; i < 200000; i++) main_sink += i;
}

/* The chain ends where depth reaches 0; kind 1 picks the other leaf (qsort here, libm in b). */
__attribute__((noinline)) void main_descend(int depth, int kind) {
  if (depth <= 0) {
    if (kind == 1) main_sort();
    else main_leaf();
  } else {
    a_descend(depth - 1, kind);
  }
  main_sink++;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  b_register(main_descend);
  double end = now() + secs;
  for (unsigned n = 0; secs <= 0 || now() < end; n++) main_descend(18 + n % 3, (n / 3) % 2);
  return 0;
}
