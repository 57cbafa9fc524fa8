/* Anonymous executable code that writes no perf map of its own: prints "ADDR SIZE" (hex) of the
   code, then runs it for argv[1] seconds. A perf-PID.map planted by someone else is the only
   thing that could name it. x86-64 only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  /* mov rcx, 2000000; l: dec rcx; jnz l; ret */
  static const unsigned char code[] = {0x48, 0xb9, 0x80, 0x84, 0x1e, 0, 0, 0, 0, 0, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3};
  unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 1;
  memcpy(mem, code, sizeof code);
  printf("%lx %zx\n", (unsigned long)mem, sizeof code);
  fflush(stdout);
  void (*fn)(void) = (void (*)(void))mem;
  double end = now() + (argc > 1 ? atof(argv[1]) : 3.0);
  while (now() < end) fn();
  return 0;
}
