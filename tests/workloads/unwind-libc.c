/* Workload for the unwinding tests: a frame-pointer program that spends its time inside glibc,
 * which has no frame pointers: qsort with a callback, memcpy, malloc/free and clock_gettime
 * (the vDSO). Only call-frame information gets from those back to the callers here.
 * Build: gcc -O1 -fno-omit-frame-pointer. argv[1]: seconds (default 3). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static int by_value(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

__attribute__((noinline)) static void sort_phase(unsigned *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = (unsigned)(i * 2654435761u);
	qsort(v, n, sizeof *v, by_value);
	sink += v[0];
}

__attribute__((noinline)) static void copy_phase(char *a, char *b, size_t n)
{
	for (int i = 0; i < 20; i++) {
		memcpy(b, a, n);
		memcpy(a, b, n);
	}
	sink += (unsigned char)a[n / 2];
}

__attribute__((noinline)) static void alloc_phase(void)
{
	for (int i = 0; i < 20000; i++) {
		void *p = malloc(64 + (i % 512));
		sink += (unsigned long)p;
		free(p);
	}
}

__attribute__((noinline)) static void clock_phase(void)
{
	struct timespec ts;
	for (int i = 0; i < 20000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sink += ts.tv_nsec;
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	time_t end = time(NULL) + (time_t)seconds + 1;
	int n = 100000;
	size_t bytes = 4 << 20;
	unsigned *v = malloc(n * sizeof *v);
	char *a = calloc(1, bytes), *b = calloc(1, bytes);
	while (time(NULL) < end) {
		sort_phase(v, n);
		copy_phase(a, b, bytes);
		alloc_phase();
		clock_phase();
	}
	return 0;
}
