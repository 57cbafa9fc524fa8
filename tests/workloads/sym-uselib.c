// Symbolizer test program linked against libsymlib.so: prints the library's function
// addresses (from inside the library, so no PLT stubs), then "ready", and sleeps.
#include <stdio.h>
#include <unistd.h>

int symlib_delta(int x);
void symlib_print(void);

int main(void) {
  symlib_delta(5);
  symlib_print();
  printf("main %p\n", (void *)main);
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
