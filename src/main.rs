//! The `hoclieu` command: parse arguments, run, turn the outcome into an exit code.

/// mimalloc instead of the system allocator: a build allocates and frees millions of small
/// strings across threads and compresses thousands of files, each with a fresh encoder
/// whose tables glibc hands out as new (page-faulting) memory; see BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (15 in both v2's and v3's headers; libmimalloc-sys
/// exports no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // mimalloc gives memory freed for 10 ms back to the kernel, which hands it back zeroed
    // (a page fault and a cleared page, often a 2 MB huge page) the next time a page or an
    // encoder needs it: a build allocates and frees in waves, page after page, so it paid
    // seconds of system time for that. A build is short: keep what was freed for reuse.
    // MIMALLOC_PURGE_DELAY in the environment still decides.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an option's value; called before any thread but this one exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
    no_huge_pages();
    std::process::exit(hoclieu::cli::run());
}

/// No transparent huge pages for this process. mimalloc asks the kernel for them
/// (`MADV_HUGEPAGE` on its arenas), and the kernel then zeroes 2 MB at each first touch,
/// compacting memory to find the 2 MB when page cache fills it (as it does after writing a
/// site): on the 10 000-lesson benchmark a quarter of the kernel's time went to clearing
/// such pages, and a build without them spends 0.6–1.2 s less system time for 0.3 s more
/// user time (TLB misses) and 40 MB less peak memory (bench/profile.sh, BENCHMARKS.md).
/// MIMALLOC_ALLOW_THP=1 in the environment keeps them.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none_or(|v| v != "1") {
        // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and changes only this
        // process's memory policy; it fails harmlessly on kernels without it.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}
