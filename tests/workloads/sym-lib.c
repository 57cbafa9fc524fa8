// Shared library for symbolizer tests: exported functions and a printer of their addresses.
#include <stdio.h>

volatile long symlib_sink;

__attribute__((noinline)) int symlib_gamma(int x) {
  long s = 3;
  for (int i = 0; i < x; i++) s = s * 17 + (i ^ s);
  symlib_sink = s;
  return (int)s;
}

__attribute__((noinline)) int symlib_delta(int x) {
  long s = 5;
  for (int i = 0; i < x; i++) s += symlib_gamma(i) >> 2;
  symlib_sink = s;
  return (int)s;
}

void symlib_print(void) {
  printf("symlib_gamma %p\n", (void *)symlib_gamma);
  printf("symlib_delta %p\n", (void *)symlib_delta);
}
