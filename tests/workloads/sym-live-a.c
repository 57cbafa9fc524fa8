/* libsymlive-a.so for sym-live-main: one step of the main -> a -> b chain and a CPU leaf. */
void b_descend(int depth, int kind);

volatile unsigned long a_sink;

__attribute__((noinline)) static void a_leaf(void) {
  for (int i = 0; i < 200000; i++) a_sink += i;
}

__attribute__((noinline)) void a_descend(int depth, int kind) {
  if (depth <= 0) a_leaf();
  else b_descend(depth - 1, kind);
  a_sink++;
}
