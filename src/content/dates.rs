//! Content dates: when each file under `content/` last changed, from the last git commit
//! that touched it ("Cập nhật" on lessons). Never the clock, so a build is deterministic.
//!
//! One `git log` for the whole repository, read into a map when the content is read; a
//! file git does not know (no repository, no git, not committed yet) gets the date packs
//! use: `SOURCE_DATE_EPOCH` when set, else the last commit touching `content/`, else none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Seconds since 1970-01-01 UTC of the last commit touching each file.
#[derive(Debug, Default, Clone)]
pub struct Dates {
    /// Path relative to the root (`content/a/b.md`) → commit time.
    by_path: HashMap<PathBuf, i64>,
    /// For a file git does not know.
    fallback: Option<i64>,
}

impl Dates {
    /// Reads the history of `content/` in the repository at `root` with one `git log`.
    pub fn read(root: &Path) -> Dates {
        let log = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["log", "-z", "--relative", "--format=%x01%ct", "--name-only", "--", "content"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        let mut dates = match log {
            Ok(output) if output.status.success() => Dates::parse(&String::from_utf8_lossy(&output.stdout)),
            _ => Dates::default(),
        };
        let newest = dates.by_path.values().max().copied();
        dates.fallback = source_date_epoch().or(newest);
        dates
    }

    /// Parses `git log -z --format=%x01%ct --name-only`: newest commit first, so the first
    /// time a path is named is its last change.
    fn parse(log: &str) -> Dates {
        let mut by_path = HashMap::new();
        let mut time = None;
        for field in log.split('\0') {
            let field = field.trim_start_matches('\n');
            if let Some(seconds) = field.strip_prefix('\u{1}') {
                time = seconds.trim().parse::<i64>().ok();
            } else if let (Some(time), false) = (time, field.is_empty()) {
                let path = PathBuf::from(crate::content::normalise(field.to_string()));
                by_path.entry(path).or_insert(time);
            }
        }
        Dates { by_path, fallback: None }
    }

    /// When the file at `path` (relative to the root) last changed, if that is known.
    pub fn of(&self, path: &Path) -> Option<i64> {
        self.by_path.get(path).copied().or(self.fallback)
    }
}

/// `SOURCE_DATE_EPOCH` when it is a number of seconds (the reproducible-builds convention).
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// Seconds since the Unix epoch → UTC calendar date and time (Howard Hinnant's algorithm).
pub fn civil(epoch: i64) -> (i64, u8, u8, u8, u8, u8) {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, (secs / 3600) as u8, (secs % 3600 / 60) as u8, (secs % 60) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_commit_naming_a_file_gives_its_date() {
        let log = "\u{1}1714552200\0\ncontent/b.md\0\u{1}1710405000\0\ncontent/a/Mật khẩu.md\0content/b.md\0";
        let dates = Dates::parse(log);
        assert_eq!(dates.of(Path::new("content/b.md")), Some(1_714_552_200));
        assert_eq!(dates.of(Path::new("content/a/Mật khẩu.md")), Some(1_710_405_000));
        assert_eq!(dates.of(Path::new("content/c.md")), None);
    }
}
