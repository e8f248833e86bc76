//! Front matter: the TOML (`+++`) or YAML (`---`) block at the top of a Markdown file,
//! checked into a [`FrontMatter`] with diagnostics that point at the right line of the file.
//!
//! Unknown keys are errors (a typo such as `titel` must not pass silently), each with a
//! "did you mean". Ids are checked against the [`Config`] here, once.

use crate::config::{unknown_id, Config, DomainId, GroupId};
use crate::diag::{did_you_mean, Diagnostic, Position};
use crate::msg;
use serde::Deserialize;
use std::path::Path;

pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "summary",
    "domains",
    "groups",
    "level",
    "duration",
    "weight",
    "objectives",
    "audio",
    "draft",
    "source_hash",
    "review",
];

/// How deep a lesson goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Level {
    #[serde(rename = "co-ban")]
    Basic,
    #[serde(rename = "nang-cao")]
    Advanced,
    #[serde(rename = "chuyen-sau")]
    InDepth,
}

impl Level {
    pub const IDS: &'static [&'static str] = &["co-ban", "nang-cao", "chuyen-sau"];

    pub fn id(self) -> &'static str {
        match self {
            Level::Basic => "co-ban",
            Level::Advanced => "nang-cao",
            Level::InDepth => "chuyen-sau",
        }
    }

    /// Display name in Vietnamese (the theme may translate it).
    pub fn name(self) -> &'static str {
        match self {
            Level::Basic => "Cơ bản",
            Level::Advanced => "Nâng cao",
            Level::InDepth => "Chuyên sâu",
        }
    }

    fn parse(id: &str) -> Option<Level> {
        match id {
            "co-ban" => Some(Level::Basic),
            "nang-cao" => Some(Level::Advanced),
            "chuyen-sau" => Some(Level::InDepth),
            _ => None,
        }
    }
}

/// How far a translation has been checked by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    Machine,
    Draft,
    Reviewed,
}

/// What the file's front matter says, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FrontMatter {
    pub title: String,
    pub summary: String,
    pub domains: Vec<DomainId>,
    pub groups: Vec<GroupId>,
    pub level: Option<Level>,
    pub duration: Option<u32>,
    pub weight: i64,
    pub objectives: Vec<String>,
    pub audio: Option<String>,
    pub draft: bool,
    pub source_hash: Option<String>,
    pub review: Option<Review>,
    /// Which of the keys a section may give were written in the file (an unknown id
    /// leaves the list empty, but the author did set it: nothing is inherited then).
    pub written: Written,
}

/// Keys the file sets itself, whether or not their values were known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Written {
    pub groups: bool,
    pub domains: bool,
    pub level: bool,
}

#[derive(Debug, Default, Deserialize)]
struct RawFrontMatter {
    title: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    level: Option<String>,
    duration: Option<u32>,
    weight: Option<i64>,
    #[serde(default)]
    objectives: Vec<String>,
    audio: Option<String>,
    #[serde(default)]
    draft: bool,
    source_hash: Option<String>,
    review: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Yaml,
}

/// Where the parts of a Markdown file are, as byte offsets into its text.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    /// Start of the front matter's contents (after the opening fence line).
    pub front_start: usize,
    pub front_end: usize,
    /// Start of the Markdown body.
    pub body_start: usize,
    format: Option<Format>,
}

/// Front matter larger than this is refused: it holds a title, a summary and a few short
/// lists, and a parser handed megabytes of it slows down before it can say no.
pub const MAX_FRONT_MATTER_BYTES: usize = 64 * 1024;
/// Lists and tables (`[` and `{`) one front matter may open. The YAML parser's time grows
/// with the number of tokens times the depth of nesting, and a depth cannot be read
/// without parsing (quotes hide brackets), but it is never more than this count.
pub const MAX_FRONT_MATTER_OPENINGS: usize = 256;

/// Finds the front matter fences. A file without front matter has an empty one.
pub fn split(text: &str, file: &Path) -> Result<Split, Diagnostic> {
    let (fence, format) = if text.starts_with("+++") {
        ("+++", Format::Toml)
    } else if text.starts_with("---") {
        ("---", Format::Yaml)
    } else {
        return Ok(Split { front_start: 0, front_end: 0, body_start: 0, format: None });
    };
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != fence {
        return Ok(Split { front_start: 0, front_end: 0, body_start: 0, format: None });
    }
    let mut offset = first_line_end;
    for line in text[first_line_end..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Ok(Split {
                front_start: first_line_end,
                front_end: offset,
                body_start: offset + line.len(),
                format: Some(format),
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, "front-matter", msg!("front-matter.unclosed", fence))
        .at(Position::new(1, 1))
        .hint(msg!("front-matter.unclosed-hint", fence)))
}

/// What kind of file the front matter belongs to: lessons must have a title (their groups
/// and domains, which a section may give them, are checked by [`super::inherit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirements {
    Lesson,
    Other,
}

/// Parses and checks the front matter of `text` (the whole file) at `split`.
pub fn parse(
    config: &Config,
    file: &Path,
    text: &str,
    split: &Split,
    requirements: Requirements,
    problems: &mut Vec<Diagnostic>,
) -> Option<FrontMatter> {
    let front = &text[split.front_start..split.front_end];
    let base = split.front_start;
    let locate = |key: &str, needle: Option<&str>| locate(text, split, key, needle);
    if let Some(problem) = too_large(file, text, split) {
        problems.push(problem);
        return None;
    }
    let raw = match split.format {
        None => RawFrontMatter::default(),
        Some(Format::Toml) => {
            let table: toml::Table = match toml::from_str(front) {
                Ok(table) => table,
                Err(e) => {
                    problems.push(crate::config::toml_error(file, text, base, &e));
                    return None;
                }
            };
            unknown_keys(file, table.keys(), &locate, problems);
            // Converting the parsed table is cheap; only on failure parse again from the
            // text, which gives the error its position.
            match toml::Value::Table(table).try_into().or_else(|_| toml::from_str(front)) {
                Ok(raw) => raw,
                Err(e) => {
                    let mut diagnostic = crate::config::toml_error(file, text, base, &e);
                    if let Some(hint) = e.span().and_then(|span| type_hint(front, span.start)) {
                        diagnostic = diagnostic.hint(hint);
                    }
                    problems.push(diagnostic);
                    return None;
                }
            }
        }
        Some(Format::Yaml) => {
            let yaml_error = |e: serde_yaml_ng::Error| {
                let at = e.location().map(|loc| base + loc.index());
                let (message, hint) = yaml_explained(&e.to_string(), text, at);
                let mut d = Diagnostic::error(file, "bad-yaml", message);
                if let Some(at) = at {
                    d = d.at(Position::of_offset(text, at));
                }
                d.hint(hint)
            };
            if front.trim().is_empty() {
                RawFrontMatter::default()
            } else {
                let mapping: serde_yaml_ng::Mapping = match serde_yaml_ng::from_str(front) {
                    Ok(m) => m,
                    Err(e) => {
                        problems.push(yaml_error(e));
                        return None;
                    }
                };
                let keys: Vec<String> = mapping.keys().filter_map(|k| k.as_str().map(str::to_string)).collect();
                unknown_keys(file, keys.iter(), &locate, problems);
                match serde_yaml_ng::from_str(front) {
                    Ok(raw) => raw,
                    Err(e) => {
                        problems.push(yaml_error(e));
                        return None;
                    }
                }
            }
        }
    };
    Some(check(config, file, raw, requirements, &locate, problems))
}

/// The front matter's size and the lists and tables it opens, checked before it is parsed.
fn too_large(file: &Path, text: &str, split: &Split) -> Option<Diagnostic> {
    let front = &text[split.front_start..split.front_end];
    if front.len() > MAX_FRONT_MATTER_BYTES {
        return Some(
            Diagnostic::error(
                file,
                "too-large",
                msg!("front-matter.too-large", kb = front.len() / 1024, limit = MAX_FRONT_MATTER_BYTES / 1024),
            )
            .at(Position::new(1, 1))
            .hint(msg!("front-matter.too-large-hint")),
        );
    }
    let (at, _) = front.match_indices(['[', '{']).nth(MAX_FRONT_MATTER_OPENINGS)?;
    Some(
        Diagnostic::error(file, "too-deep", msg!("front-matter.too-deep", limit = MAX_FRONT_MATTER_OPENINGS))
            .at(Position::of_offset(text, split.front_start + at))
            .hint(msg!("front-matter.too-deep-hint")),
    )
}

/// A YAML mistake in words, and how to fix it, from the parser's message (`e.to_string()`)
/// and the line of `text` at byte `at`.
fn yaml_explained(parser: &str, text: &str, at: Option<usize>) -> (String, String) {
    // the parser's own words, without its "at line 3 column 8" (the diagnostic says where)
    let detail = parser.split(" at line ").next().unwrap_or(parser).to_string();
    let line = at.map_or("", |at| {
        let at = at.min(text.len());
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        text[start..].lines().next().unwrap_or("")
    });
    let (key, value) = line.split_once(':').map_or(("…", ""), |(k, v)| (k.trim(), v.trim()));
    let quoted_value = format!("{key}: \"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
    if parser.contains("recursion limit") {
        (msg!("yaml.too-deep"), msg!("yaml.too-deep-hint"))
    } else if parser.contains("repetition limit") {
        (msg!("yaml.too-many-aliases"), msg!("yaml.too-many-aliases-hint"))
    } else if parser.contains("mapping values are not allowed") {
        (msg!("yaml.colon-inside", key), msg!("yaml.quote-hint", fixed = quoted_value))
    } else if parser.contains("did not find expected key") && value.starts_with(['"', '\'']) {
        let quote = &value[..1];
        let inside = value[1..].strip_suffix(quote).unwrap_or(&value[1..]);
        let single = if inside.contains('\'') {
            format!("{key}: '{}'", inside.replace('\'', "''"))
        } else {
            format!("{key}: '{inside}'")
        };
        (msg!("yaml.quote-inside", key, quote), msg!("yaml.quote-inside-hint", single))
    } else if parser.contains("did not find expected ',' or ']'") {
        (msg!("yaml.bad-list", key), msg!("yaml.bad-list-hint"))
    } else if parser.contains("did not find expected key") {
        (msg!("yaml.bad-line"), msg!("yaml.quote-hint", fixed = quoted_value))
    } else if parser.contains("tab character") {
        (msg!("yaml.tab"), msg!("yaml.tab-hint"))
    } else if parser.contains("cannot start any token") {
        let sign: String = value.chars().take(1).collect();
        (msg!("yaml.bad-start", key, sign), msg!("yaml.quote-hint", fixed = quoted_value))
    } else if parser.contains("while scanning a quoted scalar") {
        (msg!("yaml.unclosed-text"), msg!("yaml.unclosed-text-hint"))
    } else if parser.contains("duplicate") {
        let name = parser.split('`').nth(1).unwrap_or(key);
        (msg!("toml.duplicate", key = name), msg!("toml.duplicate-hint"))
    } else if let Some((field, types)) = detail.split_once(": invalid type: ") {
        (crate::config::wrong_type(field, types), msg!("yaml.wrong-type-hint"))
    } else if let Some(types) = detail.strip_prefix("invalid type: ") {
        (crate::config::wrong_type(key, types), msg!("yaml.wrong-type-hint"))
    } else {
        (msg!("yaml.other", detail), msg!("yaml.syntax-hint"))
    }
}

/// What a value of the key on the line at `offset` should look like.
fn type_hint(front: &str, offset: usize) -> Option<String> {
    let line_start = front[..offset].rfind('\n').map_or(0, |i| i + 1);
    let key = front[line_start..].split(['=', ' ']).next()?.trim();
    Some(match key {
        "duration" => msg!("front-matter.takes-minutes", key),
        "weight" => msg!("front-matter.takes-number", key),
        "draft" => msg!("front-matter.takes-boolean", key),
        "domains" | "groups" | "objectives" => msg!("front-matter.takes-list", key),
        "title" | "summary" | "level" | "audio" | "source_hash" | "review" => msg!("front-matter.takes-text", key),
        _ => return None,
    })
}

fn unknown_keys<'a>(
    file: &Path,
    keys: impl Iterator<Item = &'a String>,
    locate: &dyn Fn(&str, Option<&str>) -> Position,
    problems: &mut Vec<Diagnostic>,
) {
    let mut unknown = keys.filter(|k| !KNOWN_KEYS.contains(&k.as_str()));
    for key in unknown.by_ref().take(MAX_UNKNOWN_KEYS) {
        let known = KNOWN_KEYS.join(", ");
        let hint = match did_you_mean(key, KNOWN_KEYS.iter().copied()) {
            Some(best) => msg!("front-matter.did-you-mean-key", best, known),
            None => msg!("front-matter.known-keys", known),
        };
        problems.push(
            Diagnostic::error(file, "unknown-key", msg!("front-matter.unknown-key", key))
                .at(locate(key, None))
                .hint(hint),
        );
    }
    let more = unknown.count();
    if more > 0 {
        problems.push(
            Diagnostic::error(file, "unknown-key", msg!("front-matter.more-unknown-keys", more))
                .at(Position::new(1, 1))
                .hint(msg!("front-matter.known-keys", known = KNOWN_KEYS.join(", "))),
        );
    }
}

/// Unknown keys reported one by one; the rest are counted (each is looked for in the text).
const MAX_UNKNOWN_KEYS: usize = 20;

fn check(
    config: &Config,
    file: &Path,
    raw: RawFrontMatter,
    requirements: Requirements,
    locate: &dyn Fn(&str, Option<&str>) -> Position,
    problems: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let written =
        Written { groups: !raw.groups.is_empty(), domains: !raw.domains.is_empty(), level: raw.level.is_some() };
    let title = raw.title.unwrap_or_default().trim().to_string();
    if title.is_empty() && requirements == Requirements::Lesson {
        problems.push(
            Diagnostic::error(file, "missing-key", msg!("front-matter.missing-title"))
                .at(Position::new(1, 1))
                .hint(msg!("front-matter.missing-title-hint")),
        );
    }
    let level = raw.level.as_deref().and_then(|id| {
        let level = Level::parse(id);
        if level.is_none() {
            problems.push(
                Diagnostic::error(file, "bad-value", msg!("front-matter.unknown-level", id))
                    .at(locate("level", Some(id)))
                    .hint(msg!("front-matter.use-one-of", ids = Level::IDS.join(", "))),
            );
        }
        level
    });
    let review = raw.review.as_deref().and_then(|id| match id {
        "machine" => Some(Review::Machine),
        "draft" => Some(Review::Draft),
        "reviewed" => Some(Review::Reviewed),
        _ => {
            problems.push(
                Diagnostic::error(file, "bad-value", msg!("front-matter.unknown-review", id))
                    .at(locate("review", Some(id)))
                    .hint(msg!("front-matter.use-one-of", ids = "machine, draft, reviewed")),
            );
            None
        }
    });
    let mut domains = Vec::new();
    for id in &raw.domains {
        match config.domain(id) {
            Some(d) => domains.push(d.id.clone()),
            None => problems.push(
                unknown_id(file, "domain", id, config.domains.iter().map(|d| d.id.as_str()))
                    .at(locate("domains", Some(id))),
            ),
        }
    }
    let mut groups = Vec::new();
    for id in &raw.groups {
        match config.group(id) {
            Some(g) => groups.push(g.id.clone()),
            None => problems.push(
                unknown_id(file, "group", id, config.groups.iter().map(|g| g.id.as_str()))
                    .at(locate("groups", Some(id))),
            ),
        }
    }
    // the audio file sits next to the lesson: a name, never a path that could lead elsewhere
    let audio = raw.audio.filter(|audio| {
        let plain = !audio.is_empty()
            && !audio.starts_with('.')
            && !audio.contains(['/', '\\', ':'])
            && !audio.chars().any(char::is_control);
        if !plain {
            problems.push(
                Diagnostic::error(file, "bad-value", msg!("front-matter.bad-audio", audio = format!("{audio:?}")))
                    .at(locate("audio", None))
                    .hint(msg!("front-matter.bad-audio-hint")),
            );
        }
        plain
    });
    FrontMatter {
        title,
        summary: raw.summary.unwrap_or_default().trim().to_string(),
        domains,
        groups,
        level,
        duration: raw.duration,
        weight: raw.weight.unwrap_or(0),
        objectives: raw.objectives,
        audio,
        draft: raw.draft,
        source_hash: raw.source_hash,
        review,
        written,
    }
}

/// The position of `key` (or of `needle` inside its value) in the front matter, found by
/// reading lines: both TOML and YAML put a top-level key at the start of its line.
fn locate(text: &str, split: &Split, key: &str, needle: Option<&str>) -> Position {
    let mut offset = split.front_start;
    let mut in_key = false;
    for line in text[split.front_start..split.front_end].split_inclusive('\n') {
        let starts_key =
            line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=') || rest.starts_with(':'));
        let starts_other = !line.starts_with([' ', '\t', '\n', '\r', ']', '-', '#']);
        if starts_key {
            in_key = true;
        } else if starts_other {
            in_key = false;
        }
        if in_key {
            let found = match needle {
                None => Some(0),
                Some(needle) => {
                    let value_from = if starts_key { key.len() } else { 0 };
                    line[value_from..].find(needle).map(|i| {
                        // point at the opening quote when there is one
                        let at = value_from + i;
                        if at > 0 && matches!(line.as_bytes()[at - 1], b'"' | b'\'') {
                            at - 1
                        } else {
                            at
                        }
                    })
                }
            };
            if let Some(i) = found {
                return Position::of_offset(text, offset + i);
            }
        }
        offset += line.len();
    }
    Position::new(1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        crate::config::parse(
            Path::new("."),
            "[site]\ntitle = \"T\"\n[domains.an-toan]\nname = \"A\"\n[groups.nguoi-dan]\nname = \"N\"\ndomains = [\"an-toan\"]\n",
        )
        .unwrap()
    }

    fn run(text: &str) -> (Option<FrontMatter>, Vec<Diagnostic>) {
        let file = Path::new("content/c/l.md");
        let mut problems = Vec::new();
        let split = split(text, file).unwrap();
        let fm = parse(&config(), file, text, &split, Requirements::Lesson, &mut problems);
        (fm, problems)
    }

    fn positions(problems: &[Diagnostic]) -> Vec<(usize, usize, &str)> {
        problems.iter().map(|d| (d.line, d.col, d.message.as_str())).collect()
    }

    #[test]
    fn toml_front_matter_is_checked() {
        let (fm, problems) = run("+++\ntitle = \"Mật khẩu\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\nlevel = \"co-ban\"\nduration = 15\n+++\nbody\n");
        assert!(problems.is_empty(), "{problems:?}");
        let fm = fm.unwrap();
        assert_eq!(fm.title, "Mật khẩu");
        assert_eq!(fm.level, Some(Level::Basic));
        assert_eq!(fm.duration, Some(15));
    }

    #[test]
    fn positions_point_into_the_file() {
        let text = "+++\ntitle = \"T\"\ndomains = [\"an-toan\", \"an-toam\"]\ngroups = [\"nguoi-dan\"]\nlevel = \"kho\"\ntitel = \"x\"\n+++\n";
        let (_, problems) = run(text);
        assert_eq!(
            positions(&problems),
            [
                (6, 1, "unknown front matter key `titel`"),
                (5, 9, "unknown level \"kho\""),
                (3, 23, "unknown domain \"an-toam\""),
            ]
        );
        assert_eq!(problems[0].hint.as_deref().unwrap().split('?').next(), Some("did you mean `title`"));
    }

    #[test]
    fn toml_type_error_is_shifted_by_the_fence() {
        let (_, problems) = run("+++\ntitle = \"T\"\nduration = \"mười\"\n+++\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].col), (3, 12));
    }

    #[test]
    fn yaml_front_matter_is_accepted_and_checked() {
        let (fm, problems) = run("---\ntitle: Zalo\ndomains: [an-toan]\ngroups:\n  - nguoi-dan\n  - nguoi-den\n---\n");
        assert_eq!(positions(&problems), [(6, 5, "unknown group \"nguoi-den\"")]);
        assert_eq!(fm.unwrap().title, "Zalo");
    }

    #[test]
    fn missing_title_in_a_lesson() {
        let (_, problems) = run("+++\nsummary = \"s\"\n+++\n");
        let messages: Vec<_> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["missing `title`"]);
    }

    #[test]
    fn toml_and_yaml_mistakes_are_said_in_words_with_the_line_fixed() {
        let (_, problems) = run("+++\ntitle = \"Bài \"mới\"\"\n+++\n");
        assert_eq!(
            positions(&problems),
            [(2, 15, "the text of `title` ends at the second `\"`: a quote inside the text closes it early")]
        );
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("escape each quote inside the text as \\\": title = \"Bài \\\"mới\\\"\", or put the text in single quotes: title = 'Bài \"mới\"'")
        );
        let cases = [
            ("---\ntitle: \"Bài \"mới\"\"\n---\n", "the text of `title` ends at the second `\"`: a quote inside the text closes it early", "put the text in single quotes: title: 'Bài \"mới\"' (a ' inside is written ''), or write each \" inside as \\\""),
            ("---\ntitle: Bước 1: đăng nhập\n---\n", "the value of `title` holds `: `, which YAML reads as the start of another key", "put the text in double quotes: title: \"Bước 1: đăng nhập\""),
            ("---\ntitle: @Zalo\n---\n", "the value of `title` starts with `@`, which YAML keeps for itself", "put the text in double quotes: title: \"@Zalo\""),
            ("---\ntitle: T\nduration: mười\n---\n", "`duration` must be a whole number, not the text \"mười\"", "check the value: text (in quotes when it holds signs), whole numbers, true/false, lists as [a, b]"),
        ];
        for (text, message, hint) in cases {
            let (_, problems) = run(text);
            assert_eq!(problems[0].message, message, "{text:?}");
            assert_eq!(problems[0].hint.as_deref(), Some(hint), "{text:?}");
        }
    }

    #[test]
    fn unclosed_front_matter() {
        assert!(split("+++\ntitle = \"x\"\n", Path::new("a.md")).is_err());
        assert_eq!(split("no front matter", Path::new("a.md")).unwrap().body_start, 0);
    }
}
