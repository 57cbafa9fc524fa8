/* Workload for the unwinding tests: main -> top_a -> mid_b -> leaf, built -O2
 * -fomit-frame-pointer, so only call-frame information (.eh_frame) can find the callers.
 * argv[1]: seconds to run (default 3). Results feed a volatile sink so nothing is folded away,
 * and each call's result is used after it, so no call becomes a tail call. */
#include <stdlib.h>
#include <time.h>

static volatile double sink;

__attribute__((noinline)) static double leaf(double x)
{
	for (int i = 0; i < 200000; i++)
		x = x * 1.0000001 + 0.5;
	return x;
}

__attribute__((noinline)) static double mid_b(double x)
{
	double r = leaf(x);
	sink = r;
	return r * 0.5;
}

__attribute__((noinline)) static double top_a(double x)
{
	double r = mid_b(x);
	sink = r;
	return r * 0.25;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	time_t end = time(NULL) + (time_t)seconds + 1;
	double x = 1;
	while (time(NULL) < end)
		x = top_a(x) + 1;
	sink = x;
	return 0;
}
