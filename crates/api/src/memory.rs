//! How the process gives memory back to the system (glibc only).
//!
//! glibc's malloc serves allocations above a threshold (128 KiB at first)
//! with `mmap`, returned to the system on `free`. But it raises that
//! threshold to the size of any such block freed — up to 32 MiB — and the
//! heap-trimming threshold to twice that. One login frees argon2's 19 MiB
//! working memory, and from then on every large buffer (request bodies,
//! rendered pages, bulk answers) comes from the heaps of glibc's per-thread
//! arenas, which keep up to 38 MiB each untrimmed. Measured in
//! bench/RESULTS.md: the server's peak resident memory over the benchmark
//! fell from 192 MiB to 88 MiB with the thresholds fixed as below, at the
//! same throughput; the live heap never exceeded ~31 MiB (heaptrack).
//!
//! Operators who tune malloc themselves (`MALLOC_MMAP_THRESHOLD_`,
//! `MALLOC_TRIM_THRESHOLD_`, `GLIBC_TUNABLES`) keep their settings.

/// Blocks of at least this size are mapped, and unmapped when freed.
pub const MMAP_THRESHOLD: i32 = 1 << 20;
/// Free memory above this at the top of a heap is given back.
pub const TRIM_THRESHOLD: i32 = 4 << 20;

/// What [`tune_allocator`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocatorTuning {
    /// The thresholds above are in force.
    Fixed,
    /// The operator's environment decides.
    LeftToEnvironment,
    /// Not glibc: nothing to do.
    NotApplicable,
}

/// Fixes glibc's mmap and trim thresholds, once per process. Call first
/// thing in `main`, before any other thread is started: glibc documents
/// `mallopt` as unsafe to call while other threads allocate.
pub fn tune_allocator() -> AllocatorTuning {
    static TUNING: std::sync::OnceLock<AllocatorTuning> = std::sync::OnceLock::new();
    *TUNING.get_or_init(tune_once)
}

fn tune_once() -> AllocatorTuning {
    let operator_tuned = [
        "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_",
        "GLIBC_TUNABLES",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some());
    if operator_tuned {
        return AllocatorTuning::LeftToEnvironment;
    }
    set_thresholds()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_thresholds() -> AllocatorTuning {
    // SAFETY: mallopt only changes malloc's parameters: it takes plain
    // integers (both within glibc's limits) and reports a refused value by
    // returning 0. It is reached once per process (`tune_allocator`'s
    // OnceLock), from the start of `main`, before any other thread exists.
    let fixed = unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
            && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    };
    if fixed {
        AllocatorTuning::Fixed
    } else {
        AllocatorTuning::LeftToEnvironment
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_thresholds() -> AllocatorTuning {
    AllocatorTuning::NotApplicable
}
