// Symbolizer test program (Rust): module functions, a generic instantiation, an inherent method
// and a trait impl; prints their runtime addresses, then "ready", and sleeps until killed.
use std::fmt;
use std::io::Write;

/// Keeps the optimizer from folding a value (std::hint::black_box needs Rust 1.66; Debian 12 has 1.63).
#[inline(never)]
pub fn black_box<T>(x: T) -> T {
    let y = unsafe { std::ptr::read_volatile(&x) };
    std::mem::forget(x);
    y
}

pub mod work {
    use super::black_box;

    #[inline(never)]
    pub fn hot_loop(n: u64) -> u64 {
        let mut s = 0u64;
        for i in 0..black_box(n) {
            s = s.wrapping_mul(31).wrapping_add(i);
        }
        s
    }

    #[inline(never)]
    pub fn generic_sum<T: Copy + Into<u64>>(xs: &[T]) -> u64 {
        let mut s = 0u64;
        for &x in black_box(xs) {
            s = s.wrapping_add(x.into());
        }
        s
    }

    pub struct Acc {
        pub total: u64,
    }

    impl Acc {
        #[inline(never)]
        pub fn step(&mut self, x: u64) -> u64 {
            self.total = self.total.wrapping_mul(3).wrapping_add(black_box(x));
            self.total
        }
    }
}

impl fmt::Display for work::Acc {
    #[inline(never)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Acc({})", self.total)
    }
}

fn main() {
    let mut acc = work::Acc { total: 1 };
    let s = work::hot_loop(10) + work::generic_sum(&[1u32, 2, 3]) + acc.step(4);
    black_box(format!("{} {}", s, acc));
    let display: fn(&work::Acc, &mut fmt::Formatter<'_>) -> fmt::Result = <work::Acc as fmt::Display>::fmt;
    let mut out = std::io::stdout().lock();
    writeln!(out, "hot_loop {:p}", work::hot_loop as fn(u64) -> u64 as *const ()).unwrap();
    writeln!(out, "generic_sum {:p}", work::generic_sum::<u32> as fn(&[u32]) -> u64 as *const ()).unwrap();
    writeln!(out, "acc_step {:p}", work::Acc::step as fn(&mut work::Acc, u64) -> u64 as *const ()).unwrap();
    writeln!(out, "acc_fmt {:p}", display as *const ()).unwrap();
    writeln!(out, "main {:p}", main as fn() as *const ()).unwrap();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    drop(out);
    loop {
        std::thread::park();
    }
}
