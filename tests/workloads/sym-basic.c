// Symbolizer test program: prints the runtime addresses of its functions and of an anonymous
// executable page, then "ready", and sleeps until killed.
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

volatile long sink;

__attribute__((noinline)) int sym_alpha(int x) {
  long s = 0;
  for (int i = 0; i < x; i++) s += (long)i * i ^ (s >> 3);
  sink = s;
  return (int)s;
}

__attribute__((noinline)) int sym_beta(int x) {
  long s = 1;
  for (int i = 0; i < x; i++) s = s * 31 + i;
  sink = s;
  return (int)s + sym_alpha(x / 2);
}

// static: never exported, so a stripped build has no symbol for it.
__attribute__((noinline)) static int sym_hidden(int x) {
  long s = 7;
  for (int i = 0; i < x; i++) s ^= (s << 5) + i;
  sink = s;
  return (int)s;
}

int main(void) {
  void *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  sink = sym_alpha(10) + sym_beta(10) + sym_hidden(10);
  printf("sym_alpha %p\n", (void *)sym_alpha);
  printf("sym_beta %p\n", (void *)sym_beta);
  printf("sym_hidden %p\n", (void *)sym_hidden);
  printf("main %p\n", (void *)main);
  printf("anon %p\n", anon);
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
