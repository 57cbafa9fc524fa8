/* Pid reuse on demand: runs PROG ARG (exec) as pid P, reaps it, then forks a child with the
   same pid P through clone3(set_tid) (needs root) that spins SECS in reuse_child_spin() without
   exec. Address randomisation is off, so both images sit at the same addresses. Prints
   "P P" when the second child is done. Usage: sym-live-pidreuse PROG ARG SECS */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
__attribute__((noinline)) static void touch(void) { sink++; }
__attribute__((noinline)) void reuse_child_spin(double secs) {
  double end = now() + secs;
  while (now() < end) {
    for (int i = 0; i < 100000; i++) sink += i;
    touch();
  }
}
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  personality(ADDR_NO_RANDOMIZE); /* inherited by both children */
  pid_t p = fork();
  if (p == 0) {
    execl(argv[1], argv[1], argv[2], (char *)NULL);
    _exit(127);
  }
  waitpid(p, NULL, 0);
  pid_t tid = p;
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.exit_signal = SIGCHLD;
  args.set_tid = (uint64_t)(uintptr_t)&tid;
  args.set_tid_size = 1;
  long q = syscall(SYS_clone3, &args, sizeof args);
  if (q < 0) { perror("clone3 set_tid"); return 1; }
  if (q == 0) {
    reuse_child_spin(atof(argv[3]));
    _exit(0);
  }
  waitpid((pid_t)q, NULL, 0);
  printf("%d %ld\n", (int)p, q);
  return q == p ? 0 : 1;
}
