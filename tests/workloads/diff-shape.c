/* A CPU workload for diff tests: hot() and 19 other functions o01()..o19() of equal cost, so
   hot() takes 1 part in 20 (5%) at scale 1; `diff-shape SECONDS SCALE` multiplies hot()'s work
   by SCALE (2.111 makes its share 10%: doubled, while each other function loses ~0.26 points).
   Build with -O1 -fno-omit-frame-pointer. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

#define SPIN(n) for (unsigned long i = 0; i < (n); i++) sink += i * 2654435761u
#define PART 400000UL
static unsigned long hot_n = PART;
__attribute__((noinline)) void hot(void) { SPIN(hot_n); }
#define OTHER(k) __attribute__((noinline)) void o##k(void) { SPIN(PART); }
OTHER(01) OTHER(02) OTHER(03) OTHER(04) OTHER(05) OTHER(06) OTHER(07) OTHER(08) OTHER(09) OTHER(10)
OTHER(11) OTHER(12) OTHER(13) OTHER(14) OTHER(15) OTHER(16) OTHER(17) OTHER(18) OTHER(19)

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  double scale = argc > 2 ? atof(argv[2]) : 1.0;
  hot_n = (unsigned long)(PART * scale);
  double end = now() + secs;
  while (secs <= 0 || now() < end) {
    hot();
    o01(); o02(); o03(); o04(); o05(); o06(); o07(); o08(); o09(); o10();
    o11(); o12(); o13(); o14(); o15(); o16(); o17(); o18(); o19();
  }
  return 0;
}
