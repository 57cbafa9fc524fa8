// Symbolizer test program (C++): functions in namespaces, a class template, an overload and
// a static member; prints their runtime addresses, then "ready", and sleeps until killed.
#include <cstdio>
#include <unistd.h>
#include <vector>

volatile long sink;

namespace outer {
namespace inner {

template <typename T>
class Accumulator {
 public:
  __attribute__((noinline)) T add(T x) {
    for (int i = 0; i < 10; i++) total_ = total_ * 3 + x + i;
    sink = (long)total_;
    return total_;
  }
  __attribute__((noinline)) static int scale(int v) {
    sink = v * 7;
    return v * 7;
  }

 private:
  T total_{};
};

__attribute__((noinline)) long crunch(const std::vector<int> &v, double factor) {
  long s = 0;
  for (int x : v) s += (long)(x * factor);
  sink = s;
  return s;
}

__attribute__((noinline)) long crunch(int n) {
  long s = 1;
  for (int i = 0; i < n; i++) s = s * 31 + i;
  sink = s;
  return s;
}

}  // namespace inner
}  // namespace outer

int main() {
  outer::inner::Accumulator<long> acc;
  outer::inner::Accumulator<double> accd;
  std::vector<int> v{1, 2, 3};
  sink = acc.add(3) + (long)accd.add(1.5) + outer::inner::crunch(v, 2.0) + outer::inner::crunch(5) +
         outer::inner::Accumulator<long>::scale(2);
  long (outer::inner::Accumulator<long>::*addLong)(long) = &outer::inner::Accumulator<long>::add;
  double (outer::inner::Accumulator<double>::*addDouble)(double) = &outer::inner::Accumulator<double>::add;
  long (*crunchVec)(const std::vector<int> &, double) = outer::inner::crunch;
  long (*crunchInt)(int) = outer::inner::crunch;
  // A non-virtual member function pointer holds the function address in its first word.
  std::printf("acc_add_long %p\n", *reinterpret_cast<void **>(&addLong));
  std::printf("acc_add_double %p\n", *reinterpret_cast<void **>(&addDouble));
  std::printf("acc_scale %p\n", (void *)&outer::inner::Accumulator<long>::scale);
  std::printf("crunch_vec %p\n", (void *)crunchVec);
  std::printf("crunch_int %p\n", (void *)crunchInt);
  std::printf("main %p\n", (void *)&main);
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) pause();
}
