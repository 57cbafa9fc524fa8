/* A process whose main thread exits first: it starts two named threads that spin in
   alpha_leaf / beta_leaf, then calls pthread_exit; the process lives on as its threads.
   Build with -fno-omit-frame-pointer -pthread. Usage: main-exits [seconds]. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;
static double secs = 2.0;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) static void alpha_leaf(void) { for (int i = 0; i < 200000; i++) sink += i; }
__attribute__((noinline)) static void beta_leaf(void) { for (int i = 0; i < 200000; i++) sink ^= i; }
__attribute__((noinline)) static void *alpha(void *arg) {
  double end = now() + secs;
  while (now() < end) alpha_leaf();
  return arg;
}
__attribute__((noinline)) static void *beta(void *arg) {
  double end = now() + secs;
  while (now() < end) beta_leaf();
  return arg;
}
int main(int argc, char **argv) {
  if (argc > 1) secs = atof(argv[1]);
  pthread_t a, b;
  pthread_create(&a, NULL, alpha, NULL);
  pthread_setname_np(a, "JITWorker");
  pthread_create(&b, NULL, beta, NULL);
  pthread_setname_np(b, "other-thread");
  pthread_exit(NULL);
}
