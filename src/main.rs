//! The `hoclieu` command: parse arguments, run, turn the outcome into an exit code.

fn main() {
    std::process::exit(hoclieu::cli::run());
}
