/* A process that rewrites its own copy of the vDSO (copy-on-write after mprotect): every
   "clock_gettime" in it becomes "PWNED_gettime", then it calls clock_gettime for argv[1]
   seconds. Another process's vDSO frames must not take these names. Prints "rewrote N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv) {
  unsigned long start = 0, end = 0;
  char line[256];
  FILE *maps = fopen("/proc/self/maps", "r");
  while (maps && fgets(line, sizeof line, maps)) {
    if (strstr(line, "[vdso]")) sscanf(line, "%lx-%lx", &start, &end);
  }
  if (maps) fclose(maps);
  if (start == 0 || mprotect((void *)start, end - start, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) return 1;
  int n = 0;
  for (char *p = (char *)start; p + 13 <= (char *)end; p++) {
    if (memcmp(p, "clock_gettime", 13) == 0) {
      memcpy(p, "PWNED_gettime", 13);
      n++;
    }
  }
  printf("rewrote %d\n", n);
  fflush(stdout);
  struct timespec ts, stop;
  clock_gettime(CLOCK_MONOTONIC, &stop);
  stop.tv_sec += argc > 1 ? atoi(argv[1]) : 3;
  do clock_gettime(CLOCK_MONOTONIC, &ts);
  while (ts.tv_sec < stop.tv_sec || (ts.tv_sec == stop.tv_sec && ts.tv_nsec < stop.tv_nsec));
  return 0;
}
