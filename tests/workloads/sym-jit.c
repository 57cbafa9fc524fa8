/* A tiny "JIT" for symbolizer tests: copies a countdown loop into anonymous executable
   memory, names it in /tmp/perf-<pid>.map (pid as this process sees it) and runs it for
   argv[1] seconds. x86-64 only. Usage: sym-jit SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  /* mov rcx, 2000000; l: dec rcx; jnz l; ret */
  static const unsigned char code[] = {0x48, 0xb9, 0x80, 0x84, 0x1e, 0, 0, 0, 0, 0, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3};
  unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 1;
  memcpy(mem, code, sizeof code);
  char path[64];
  snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
  FILE *f = fopen(path, "w");
  if (!f) return 2;
  fprintf(f, "%lx %zx jit_spin_in_container\n", (unsigned long)mem, sizeof code);
  fclose(f);
  void (*fn)(void) = (void (*)(void))mem;
  double end = now() + secs;
  while (now() < end) fn();
  return 0;
}
