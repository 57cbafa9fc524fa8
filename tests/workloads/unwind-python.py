# Workload for the unwinding tests: Debian's python3 running alpha -> beta -> gamma, a loop of
# plain arithmetic, for argv[1] seconds (default 3). Python 3.11 is built without frame pointers.
import sys
import time


def gamma(n):
    x = 0
    for i in range(n):
        x += i * i
    return x


def beta(n):
    return gamma(n) + 1


def alpha(n):
    return beta(n) + 1


end = time.monotonic() + (float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
while time.monotonic() < end:
    alpha(20000)
