/* Busy workload for the live sampler tests: spins in main -> outer -> inner for argv[1]
 * seconds (default 5) without syscalls, so every sample lands in this binary's text.
 * Build: gcc -O1 -fno-omit-frame-pointer. inner() calls done() so it is not a leaf: gcc gives
 * leaf functions no frame pointer, which would hide outer() from a frame-pointer walk. */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;
static volatile unsigned long rounds;

__attribute__((noinline)) static void done(void)
{
	rounds++;
}

__attribute__((noinline)) static void inner(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i * 2654435761u;
	done();
}

__attribute__((noinline)) static void outer(void)
{
	for (int i = 0; i < 100; i++)
		inner(10000);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5.0;
	time_t end = time(NULL) + (time_t)seconds + 1;
	while (time(NULL) < end)
		outer();
	return 0;
}
