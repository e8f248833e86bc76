//! `book.toml` → [`Config`]: the site's settings and its taxonomy (languages, competency
//! domains, target groups), checked once so later stages can trust every id.
//!
//! Takes the repository root; returns a `Config` or the diagnostics that explain why not.
//! Never reads content. Defaults are applied here, in one place.

mod raw;

use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Position};
use raw::RawConfig;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "book.toml";

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A language id as used in file suffixes and URLs (`vi`, `blt`, `blt-tavt`).
    LangId
);
id_type!(
    /// A competency-domain id (`an-toan`).
    DomainId
);
id_type!(
    /// A target-group id (`can-bo`).
    GroupId
);

#[derive(Debug, Clone)]
pub struct Config {
    /// The content repository root (where `book.toml` is).
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub default_language: LangId,
    /// The default language first, then the others in `book.toml` order.
    pub languages: Vec<Language>,
    /// Sorted by `order`, then id.
    pub domains: Vec<Domain>,
    /// In `book.toml` order.
    pub groups: Vec<Group>,
    pub build: Build,
    pub budgets: Budgets,
    pub markdown: MarkdownOptions,
    /// Named offline packs (`[packs.<id>]`), for the packs stage.
    pub packs: Vec<Pack>,
}

#[derive(Debug, Clone)]
pub struct Pack {
    pub id: String,
    pub title: Option<String>,
    /// The languages of the pack, the default language first: it is always in, as the
    /// text of every untranslated lesson (see `pack`).
    pub languages: Vec<LangId>,
    /// Lessons for any of these groups are in the pack.
    pub groups: Vec<GroupId>,
    /// When not empty, only lessons of one of these domains.
    pub domains: Vec<DomainId>,
}

#[derive(Debug, Clone)]
pub struct Language {
    pub id: LangId,
    pub name: String,
    /// BCP 47 tag for `lang` attributes; defaults to the id.
    pub tag: String,
    pub script: Script,
    pub font: Option<String>,
    /// Which spelling a text uses, where a language has several (Mông: RPA or 1961).
    pub orthography: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    TaiViet,
}

#[derive(Debug, Clone)]
pub struct Domain {
    pub id: DomainId,
    pub name: String,
    pub order: i64,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    /// The domains this group must learn, in order.
    pub domains: Vec<DomainId>,
}

#[derive(Debug, Clone)]
pub struct Build {
    pub out_dir: PathBuf,
    pub precompress: bool,
    pub theme: String,
    /// Build the offline packs into `packs/` of the output, with a catalog page.
    pub packs: bool,
}

#[derive(Debug, Clone)]
pub struct Budgets {
    pub lesson_kb: u32,
    pub js_kb: u32,
}

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Pass raw HTML through without sanitising (trusted authors only).
    pub unsafe_html: bool,
}

impl Config {
    pub fn language(&self, id: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.id.as_str() == id)
    }

    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id.as_str() == id)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.as_str() == id)
    }

    pub fn default_language(&self) -> &Language {
        &self.languages[0]
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }
}

/// The usage error for a folder without `book.toml` (the content repository's root).
pub fn require(root: &Path) -> Result<(), crate::Error> {
    if root.join(FILE_NAME).is_file() {
        return Ok(());
    }
    Err(crate::Error::Usage(format!(
        "no {FILE_NAME} in {}: run hoclieu in a content repository, or pass --root DIR",
        root.display()
    )))
}

/// Reads and checks `<root>/book.toml`.
pub fn load(root: &Path) -> Result<Config, Diagnostics> {
    let path = root.join(FILE_NAME);
    let mut diagnostics = Diagnostics::new();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(FILE_NAME, "no-config", format!("cannot read {FILE_NAME}: {e}"))
                    .hint("run hoclieu in a content repository, or pass --root DIR"),
            );
            return Err(diagnostics);
        }
    };
    match parse(root, &text) {
        Ok(config) => Ok(config),
        Err(found) => {
            diagnostics.extend(found);
            Err(diagnostics)
        }
    }
}

/// Parses and checks the text of a `book.toml`; `root` is recorded, not read.
pub fn parse(root: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| vec![toml_error(FILE_NAME, text, 0, &e)])?;
    check(root, text, raw)
}

/// Turns a TOML error into a diagnostic. The TOML that failed starts at byte `base` of
/// `file_text`, so the position points into the file, not into the fragment.
pub fn toml_error(file: impl AsRef<Path>, file_text: &str, base: usize, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().replace('\n', " ");
    let mut diagnostic = Diagnostic::error(file, "bad-toml", message.clone());
    if let Some(span) = e.span() {
        diagnostic = diagnostic.at(Position::of_offset(file_text, base + span.start));
    }
    if message.starts_with("unknown field") {
        diagnostic.code = "unknown-key";
        if let Some(expected) = message.split(", expected ").nth(1) {
            return diagnostic.hint(format!("valid keys here: {}", expected.trim_start_matches("one of ")));
        }
    }
    diagnostic.hint(toml_hint(&message))
}

/// How to fix a TOML mistake, from the parser's message (book.toml, front matter).
fn toml_hint(message: &str) -> String {
    let hint = if message.contains("recursion limit") {
        "lists and tables are nested too deeply: write them flat, e.g. domains = [\"an-toan\", \"giao-tiep\"]"
    } else if message.starts_with("duplicate key") {
        "each key may be given once: remove or rename the repeated one"
    } else if message.starts_with("invalid basic string") || message.starts_with("invalid literal string") {
        "close the text with its quote on the same line; for several lines use \"\"\"…\"\"\""
    } else if message.starts_with("invalid string") {
        "put text in quotes: title = \"Mật khẩu mạnh\""
    } else if message.starts_with("invalid escape") {
        "a backslash starts an escape in \"…\" text: write \\\\ for a backslash, or use '…' quotes"
    } else if message.starts_with("invalid array") {
        "close the list with `]`, items separated by commas: [\"a\", \"b\"]"
    } else if message.starts_with("invalid inline table") {
        "close the table with `}` on the same line: { name = \"…\" }"
    } else if message.starts_with("invalid table header") {
        "a table header is one line: [name] or [name.sub]"
    } else if message.starts_with("invalid type") {
        "check the value: text in \"quotes\", numbers and true/false without, lists in [ ]"
    } else if message.starts_with("missing field") {
        "add the missing key, as `key = value` on a line of its own"
    } else {
        "TOML is one `key = value` a line, text in \"quotes\", lists in [ ], tables as [name]"
    };
    hint.to_string()
}

fn check(root: &Path, text: &str, raw: RawConfig) -> Result<Config, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let at = |span: std::ops::Range<usize>| Position::of_offset(text, span.start);

    let mut languages = Vec::new();
    for (id, lang) in &raw.languages {
        let script = match lang.script.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("Latn") => Script::Latin,
            Some("Tavt") => Script::TaiViet,
            Some(other) => {
                let span = lang.script.as_ref().unwrap().span();
                problems.push(
                    Diagnostic::error(
                        FILE_NAME,
                        "bad-value",
                        format!("unknown script \"{other}\" for language \"{id}\""),
                    )
                    .at(at(span))
                    .hint("use \"Latn\" or \"Tavt\""),
                );
                Script::Latin
            }
        };
        languages.push(Language {
            id: LangId(id.clone()),
            name: lang.name.clone(),
            tag: lang.tag.clone().unwrap_or_else(|| id.clone()),
            script,
            font: lang.font.clone(),
            orthography: lang.orthography.clone(),
        });
    }
    if languages.is_empty() {
        languages.push(Language {
            id: LangId("vi".into()),
            name: "Tiếng Việt".into(),
            tag: "vi".into(),
            script: Script::Latin,
            font: None,
            orthography: None,
        });
    }
    let default_language = match &raw.site.default_language {
        None => languages[0].id.clone(),
        Some(spanned) => {
            let wanted = spanned.get_ref();
            match languages.iter().position(|l| l.id.as_str() == wanted) {
                Some(i) => {
                    let lang = languages.remove(i);
                    languages.insert(0, lang);
                    languages[0].id.clone()
                }
                None => {
                    let ids: Vec<&str> = languages.iter().map(|l| l.id.as_str()).collect();
                    problems.push(
                        Diagnostic::error(
                            FILE_NAME,
                            "unknown-language",
                            format!("default language \"{wanted}\" is not in [languages]"),
                        )
                        .at(at(spanned.span()))
                        .hint(format!("add [languages.{wanted}] or use one of {}", ids.join(", "))),
                    );
                    languages[0].id.clone()
                }
            }
        }
    };

    let mut domains: Vec<Domain> = raw
        .domains
        .iter()
        .enumerate()
        .map(|(i, (id, d))| Domain {
            id: DomainId(id.clone()),
            name: d.name.clone(),
            order: d.order.unwrap_or(i as i64 + 1),
            topics: d.topics.clone(),
        })
        .collect();
    domains.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));

    let mut groups = Vec::new();
    for (id, g) in &raw.groups {
        let mut group_domains = Vec::new();
        for domain in &g.domains {
            let name = domain.get_ref();
            if domains.iter().any(|d| d.id.as_str() == name) {
                group_domains.push(DomainId(name.clone()));
            } else {
                problems.push(
                    unknown_id(FILE_NAME, "domain", name, domains.iter().map(|d| d.id.as_str())).at(at(domain.span())),
                );
            }
        }
        groups.push(Group { id: GroupId(id.clone()), name: g.name.clone(), domains: group_domains });
    }

    let mut packs = Vec::new();
    for (id, pack) in &raw.packs {
        for lang in pack.languages.iter().filter(|l| !languages.iter().any(|x| x.id.as_str() == l.as_str())) {
            problems.push(unknown_id(FILE_NAME, "language", lang, languages.iter().map(|l| l.id.as_str())));
        }
        for group in pack.groups.iter().filter(|g| !groups.iter().any(|x: &Group| x.id.as_str() == g.as_str())) {
            problems.push(unknown_id(FILE_NAME, "group", group, groups.iter().map(|g| g.id.as_str())));
        }
        for domain in pack.domains.iter().filter(|d| !domains.iter().any(|x| x.id.as_str() == d.as_str())) {
            problems.push(unknown_id(FILE_NAME, "domain", domain, domains.iter().map(|d| d.id.as_str())));
        }
        if pack.groups.is_empty() {
            problems.push(
                Diagnostic::error(FILE_NAME, "empty-pack", format!("pack \"{id}\" names no target group"))
                    .hint(format!("add groups = [\"…\"] to [packs.{id}]: a pack holds the lessons of its groups")),
            );
        }
        if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') || id.is_empty() {
            problems.push(
                Diagnostic::error(FILE_NAME, "bad-value", format!("pack id \"{id}\" is not a plain name"))
                    .hint("use lowercase ASCII letters, digits and `-`: it becomes a file name (can-bo-vi.zip)"),
            );
        }
        // the default language is in every pack: it is the text of untranslated lessons
        let mut pack_languages = vec![default_language.clone()];
        for lang in &languages {
            if lang.id != default_language && pack.languages.iter().any(|l| l == lang.id.as_str()) {
                pack_languages.push(lang.id.clone());
            }
        }
        packs.push(Pack {
            id: id.clone(),
            title: pack.title.clone(),
            languages: pack_languages,
            groups: groups.iter().filter(|g| pack.groups.contains(&g.id.0)).map(|g| g.id.clone()).collect(),
            domains: domains.iter().filter(|d| pack.domains.contains(&d.id.0)).map(|d| d.id.clone()).collect(),
        });
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Config {
        root: root.to_path_buf(),
        title: raw.site.title,
        description: raw.site.description,
        base_url: raw.site.base_url,
        default_language,
        languages,
        domains,
        groups,
        build: Build {
            out_dir: PathBuf::from(raw.build.out_dir.unwrap_or_else(|| "public".into())),
            precompress: raw.build.precompress.unwrap_or(true),
            theme: raw.build.theme.unwrap_or_else(|| "default".into()),
            packs: raw.build.packs.unwrap_or(false),
        },
        budgets: Budgets { lesson_kb: raw.budgets.lesson_kb.unwrap_or(20), js_kb: raw.budgets.js_kb.unwrap_or(8) },
        markdown: MarkdownOptions { unsafe_html: raw.markdown.unsafe_html.unwrap_or(false) },
        packs,
    })
}

/// "unknown domain \"x\"" with a did-you-mean or the list of valid ids. One constructor for
/// every unknown taxonomy id, in `book.toml` and in front matter alike.
pub fn unknown_id<'a>(
    file: impl AsRef<Path>,
    kind: &str,
    id: &str,
    valid: impl Iterator<Item = &'a str> + Clone,
) -> Diagnostic {
    let hint = match did_you_mean(id, valid.clone()) {
        Some(best) => format!("did you mean \"{best}\"?"),
        None => format!("use one of {}", valid.collect::<Vec<_>>().join(", ")),
    };
    Diagnostic::error(file, "unknown-id", format!("unknown {kind} \"{id}\"")).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, Vec<Diagnostic>> {
        parse(Path::new("."), text)
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let config = parse_text("[site]\ntitle = \"T\"\n").unwrap();
        assert_eq!(config.default_language.as_str(), "vi");
        assert!(config.build.precompress);
        assert_eq!(config.budgets.lesson_kb, 20);
        assert_eq!(config.build.out_dir, PathBuf::from("public"));
    }

    #[test]
    fn unknown_key_names_position_and_valid_keys() {
        let errors = parse_text("[site]\ntitle = \"T\"\n\n[build]\nprecompres = true\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].col), (5, 1));
        assert!(errors[0].message.contains("unknown field `precompres`"), "{}", errors[0].message);
        assert!(errors[0].hint.as_deref().unwrap().contains("`precompress`"));
    }

    #[test]
    fn group_with_unknown_domain_suggests_the_close_one() {
        let text = "[site]\ntitle = \"T\"\n[domains.an-toan]\nname = \"A\"\n[groups.g]\nname = \"G\"\ndomains = [\"an-toam\"]\n";
        let errors = parse_text(text).unwrap_err();
        assert_eq!(errors[0].message, "unknown domain \"an-toam\"");
        assert_eq!((errors[0].line, errors[0].col), (7, 12));
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean \"an-toan\"?"));
    }

    #[test]
    fn default_language_comes_first() {
        let text = "[site]\ntitle = \"T\"\ndefault_language = \"vi\"\n[languages.blt]\nname = \"Thái\"\n[languages.vi]\nname = \"Việt\"\n";
        let config = parse_text(text).unwrap();
        let ids: Vec<&str> = config.languages.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["vi", "blt"]);
    }
}
