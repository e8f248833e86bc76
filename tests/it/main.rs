//! Integration tests: run the `hoclieu` binary on fixture sites and check what a user sees
//! (exit code, messages, the built files). One binary, one module per feature.

mod harness;

mod languages;
mod messages;
mod nesting;

mod browser;
mod build;
mod content_fuzz;
mod curriculum;
mod determinism;
mod diagnostics;
mod hostile_fs;
mod hostile_markdown;
mod identity;
mod images;
mod import;
mod init;
mod offline;
mod output_integrity;
mod pack;
mod quiz;
mod rebuild;
mod relevance;
mod screenshot;
mod search;
mod serve;
mod theme;
mod zim;
