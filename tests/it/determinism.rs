//! The same input gives byte-identical output, whatever the number of threads.

use crate::harness::{snapshot, Project};

#[test]
fn output_is_identical_with_one_or_many_threads() {
    let project = Project::fixture("minimal");
    for (out, threads) in [("one", "1"), ("many", "8"), ("again", "3")] {
        project.test(&["build", "--out", out]).env("RAYON_NUM_THREADS", threads).run();
    }
    let one = snapshot(&project.path("one"));
    assert!(one.len() > 20, "the fixture produces a real site");
    assert!(one == snapshot(&project.path("many")), "1 thread and 8 threads differ");
    assert!(one == snapshot(&project.path("again")), "two runs differ");
}

#[test]
fn diagnostics_come_in_the_same_order_whatever_the_threads() {
    let project = Project::fixture("broken");
    let one = project.run_with_env(&["build"], &[("RAYON_NUM_THREADS", "1")]);
    let many = project.run_with_env(&["build"], &[("RAYON_NUM_THREADS", "8")]);
    assert_eq!(one.code, 1);
    let strip_time = |s: &str| s.lines().filter(|l| !l.starts_with("build failed")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip_time(&one.stderr), strip_time(&many.stderr));
}
