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
    std::process::exit(hoclieu::cli::run());
}
