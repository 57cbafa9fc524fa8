/* libsymlive-b.so for sym-live-main: one step of the main -> a -> b chain (back to main through
   a registered callback), a CPU leaf and a libm leaf. */
#include <math.h>

volatile unsigned long b_sink;
volatile double b_math_sink;
static void (*main_step)(int, int);

void b_register(void (*fn)(int, int)) { main_step = fn; }

__attribute__((noinline)) static void b_leaf(void) {
  for (int i = 0; i < 200000; i++) b_sink += i;
}

__attribute__((noinline)) static void b_math(void) {
  double s = 0;
  for (int i = 0; i < 20000; i++) s += cos(b_math_sink + i) + exp(-(double)(i & 63));
  b_math_sink = s;
}

__attribute__((noinline)) void b_descend(int depth, int kind) {
  if (depth <= 0) {
    if (kind == 1) b_math();
    else b_leaf();
  } else {
    main_step(depth - 1, kind);
  }
  b_sink++;
}
