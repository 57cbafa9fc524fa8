// Workload for the unwinding tests: C++ threads built -O2 -fomit-frame-pointer; each runs
// worker -> crunch -> step, so only call-frame information reaches `worker` and the thread's start.
// argv[1]: seconds (default 3).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

static std::atomic<bool> stop{false};
static volatile double sink;

__attribute__((noinline)) static double step(double x)
{
	for (int i = 0; i < 100000; i++)
		x = x * 1.0000001 + 0.25;
	return x;
}

__attribute__((noinline)) static double crunch(double x)
{
	double r = step(x);
	sink = r;
	return r * 0.5;
}

__attribute__((noinline)) static void worker(int id)
{
	double x = id;
	while (!stop.load(std::memory_order_relaxed))
		x = crunch(x) + 1;
	sink = x;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
	std::vector<std::thread> threads;
	for (int i = 0; i < 2; i++)
		threads.emplace_back(worker, i);
	std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
	stop = true;
	for (auto &t : threads)
		t.join();
	return 0;
}
