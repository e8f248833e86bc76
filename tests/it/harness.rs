//! A small builder for end-to-end tests: copy a fixture (or write files) into a temporary
//! folder, run the binary there, and assert on exit code, stdout and stderr.
//!
//! [`Project::test`] describes one run and checks it exactly (like casey/just's `Test`):
//!
//! ```ignore
//! project.test(&["build"]).code(1).stderr("content/k/bai.md:6:5: error: …\n  hint: …\nbuild failed: …").run();
//! ```
//!
//! Unless told otherwise it expects exit code 0 and nothing at all on stderr, so a stray
//! warning fails the test. Timings (`in 0.42 s`) read `in <t> s`, pack versions
//! `<date>-<hash>` and the project's folder `<root>` in what is compared.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Project {
    pub dir: tempfile::TempDir,
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// One run of `hoclieu`, described, then made and checked by [`Test::run`].
#[must_use = "a test does nothing until `run`"]
pub struct Test<'a> {
    project: &'a Project,
    args: Vec<String>,
    env: Vec<(String, String)>,
    code: i32,
    stdout: Option<String>,
    /// `None`: not checked here (the caller checks the part that is not volatile).
    stderr: Option<String>,
    /// Fail when the run has not finished in this time.
    within: Option<std::time::Duration>,
}

impl Test<'_> {
    /// Sets an environment variable for the run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The exit code expected (0 unless given).
    pub fn code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }

    /// The exact stdout expected, after normalising (not checked unless given).
    pub fn stdout(mut self, stdout: &str) -> Self {
        self.stdout = Some(stdout.to_string());
        self
    }

    /// The exact stderr expected, after normalising (empty unless given).
    pub fn stderr(mut self, stderr: &str) -> Self {
        self.stderr = Some(stderr.to_string());
        self
    }

    /// Fails the test when hoclieu has not finished within `limit` (it is killed).
    pub fn within(mut self, limit: std::time::Duration) -> Self {
        self.within = Some(limit);
        self
    }

    /// Leaves stderr unchecked, for output that lists what changes with the theme (every
    /// UI string missing); the caller checks the rest, and stdout's counts catch a stray
    /// warning.
    pub fn any_stderr(mut self) -> Self {
        self.stderr = None;
        self
    }

    /// Runs the binary and checks code, stderr and (when given) stdout exactly.
    #[track_caller]
    pub fn run(self) -> Outcome {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let outcome = match self.within {
            Some(limit) => self
                .project
                .run_with_env_within(&args, &env, limit)
                .unwrap_or_else(|| panic!("hoclieu {args:?} did not finish within {limit:?}")),
            None => self.project.run_with_env(&args, &env),
        };
        let (stdout, stderr) = (self.project.normalise(&outcome.stdout), self.project.normalise(&outcome.stderr));
        if let Some(expected) = &self.stderr {
            assert_eq!(&stderr, expected, "stderr of hoclieu {args:?}\n(stdout:\n{stdout})");
        }
        if let Some(expected) = &self.stdout {
            assert_eq!(&stdout, expected, "stdout of hoclieu {args:?}\n(stderr:\n{stderr})");
        }
        assert_eq!(outcome.code, self.code, "exit code of hoclieu {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        outcome
    }
}

/// A lesson's text: front matter with the fixtures' taxonomy (domain `an-toan`, group
/// `nguoi-dan`) and a title, then the body. Written with [`Project::lesson`].
#[derive(Clone)]
pub struct Lesson {
    title: String,
    lines: Vec<String>,
    body: String,
}

impl Lesson {
    pub fn new(title: &str) -> Lesson {
        Lesson { title: title.to_string(), lines: Vec::new(), body: String::new() }
    }

    /// One more line of TOML front matter (`weight = 5`).
    pub fn front(mut self, line: &str) -> Lesson {
        self.lines.push(line.to_string());
        self
    }

    pub fn body(mut self, body: &str) -> Lesson {
        self.body = body.to_string();
        self
    }

    /// The whole file.
    pub fn text(&self) -> String {
        let mut text = format!("+++\ntitle = {:?}\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n", self.title);
        for line in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("+++\n");
        text.push_str(&self.body);
        text
    }
}

/// The smallest `book.toml` with the fixtures' taxonomy: domain `an-toan`, group `nguoi-dan`.
pub const BOOK: &str =
    "[site]\ntitle = \"T\"\n[domains.an-toan]\nname = \"A\"\n[groups.nguoi-dan]\nname = \"N\"\ndomains = [\"an-toan\"]\n";

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

impl Project {
    /// A copy of `tests/fixtures/<name>` in a fresh temporary folder.
    pub fn fixture(name: &str) -> Project {
        let project = Project::empty();
        copy_dir(&fixture_dir(name), project.root());
        project
    }

    pub fn empty() -> Project {
        Project { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn file(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Writes the lesson `relative` (`content/an-toan/bai.md`).
    pub fn lesson(&self, relative: &str, lesson: &Lesson) -> &Self {
        self.file(relative, lesson.text())
    }

    /// Describes a run of `hoclieu ARGS` here, to check exactly (see [`Test`]).
    pub fn test(&self, args: &[&str]) -> Test<'_> {
        Test {
            project: self,
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            code: 0,
            stdout: None,
            stderr: Some(String::new()),
            within: None,
        }
    }

    /// What a run printed, with the volatile parts made fixed: timings read `in <t> s`,
    /// pack versions (`1980.01.01-04d6eb7bb24f`, whose hash changes with every change to
    /// the theme) `<date>-<hash>`, this project's folder `<root>`.
    pub fn normalise(&self, output: &str) -> String {
        let timings = regex::Regex::new(r"in \d+(\.\d+)? s\b").unwrap();
        let thoi_gian = regex::Regex::new(r"trong \d+(,\d+)? giây").unwrap();
        let versions = regex::Regex::new(r"\b\d{4}\.\d{2}\.\d{2}-[0-9a-f]{12}\b").unwrap();
        let root = self.root().to_string_lossy();
        let output = timings.replace_all(output, "in <t> s");
        let output = thoi_gian.replace_all(&output, "trong <t> giây");
        versions.replace_all(&output, "<date>-<hash>").replace(&*root, "<root>")
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    /// Runs `hoclieu ARGS` in the project folder.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with_env(args, &[])
    }

    /// Runs `hoclieu ARGS` in the project folder, killed after `limit`: `None` when it did not finish.
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Option<Outcome> {
        self.run_with_env_within(args, &[], limit)
    }

    /// [`Project::run_within`] with environment variables set.
    pub fn run_with_env_within(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        limit: std::time::Duration,
    ) -> Option<Outcome> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hoclieu"));
        command.args(args).current_dir(self.root());
        // messages are English unless a test sets a Vietnamese locale
        command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run hoclieu");
        let deadline = std::time::Instant::now() + limit;
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        Some(Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hoclieu"));
        command.args(args).current_dir(self.root());
        // messages are English unless a test sets a Vietnamese locale
        command.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("run hoclieu");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}
