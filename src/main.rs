//! The `hoclieu` command: parse arguments, run, turn the outcome into an exit code.

/// mimalloc instead of the system allocator: a build allocates and frees millions of small
/// strings across threads and compresses thousands of files, each with a fresh encoder
/// whose tables glibc hands out as new (page-faulting) memory; see BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(hoclieu::cli::run());
}
