// Workload for the unwinding tests: a Rust program built -C opt-level=2 (no frame pointers):
// main -> outer -> middle -> inner. argv[1]: seconds (default 3).
use std::time::{Duration, Instant};

/// An opaque copy of x (std::hint::black_box needs Rust 1.66; Debian 12 has 1.63).
#[inline(always)]
fn black_box(x: f64) -> f64 {
    unsafe { std::ptr::read_volatile(&x) }
}

#[inline(never)]
fn inner(mut x: f64) -> f64 {
    for _ in 0..200_000 {
        x = black_box(x * 1.000_000_1 + 0.5);
    }
    x
}

#[inline(never)]
fn middle(x: f64) -> f64 {
    black_box(inner(x)) * 0.5
}

#[inline(never)]
fn outer(x: f64) -> f64 {
    black_box(middle(x)) * 0.25
}

fn main() {
    let secs: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let mut x = 1.0;
    while Instant::now() < end {
        x = outer(x) + 1.0;
    }
    black_box(x);
}
