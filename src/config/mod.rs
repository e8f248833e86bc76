//! `book.toml` → [`Config`]: the site's settings and its taxonomy (languages, competency
//! domains, target groups), checked once so later stages can trust every id.
//!
//! Takes the repository root; returns a `Config` or the diagnostics that explain why not.
//! Never reads content. Defaults are applied here, in one place.

mod raw;
mod referenced;
mod toml_errors;

pub use referenced::MAX_LOGO_BYTES;
use referenced::{check_logo, missing_theme};
pub use toml_errors::toml_error;

use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Position};
use raw::RawConfig;
use std::collections::BTreeMap;
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
    /// Who stands behind the lessons (`[site] publisher`), shown in every page's footer.
    pub publisher: String,
    /// A small SVG in the repository (relative to the root), shown in the header.
    pub logo: Option<PathBuf>,
    /// Where learners report a mistake in a lesson: an `http(s)` URL or a `mailto:`.
    pub feedback: String,
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
    /// How images are processed (`[images]`), see [`crate::images`].
    pub images: crate::images::Settings,
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
    /// The language's name in the language itself.
    pub name: String,
    /// Its name in Vietnamese, when that differs (`name_vi`): shown beside it to choose.
    pub name_vi: Option<String>,
    /// BCP 47 tag for `lang` attributes; defaults to the id.
    pub tag: String,
    pub script: Script,
    pub font: Option<String>,
    /// Which spelling a text uses, where a language has several (Mông: RPA or 1961).
    pub orthography: Option<String>,
    /// The site's title, description and publisher in this language (`[languages.X.site]`);
    /// `None` shows the default language's.
    pub site: SiteText,
    /// How far the names book.toml gives in this language (site text, groups, domains)
    /// have been checked: anything but `Reviewed` is said on its pages.
    pub review: TextReview,
}

/// The site's own texts in one language.
#[derive(Debug, Clone, Default)]
pub struct SiteText {
    pub title: Option<String>,
    pub description: Option<String>,
    pub publisher: Option<String>,
}

/// Who made a translation given in book.toml and whether a native speaker checked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextReview {
    Machine,
    Draft,
    Reviewed,
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
    /// The name in other languages: language id → name.
    pub names: BTreeMap<String, String>,
    pub order: i64,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    /// The name in other languages: language id → name.
    pub names: BTreeMap<String, String>,
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
    /// One image at the width a 360 px phone loads ([`crate::images::PHONE_WIDTH`]).
    pub image_kb: u32,
    /// All images of a page at that width.
    pub page_images_kb: u32,
}

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Pass raw HTML through without sanitising (trusted authors only).
    pub unsafe_html: bool,
}

impl Domain {
    /// The name in language `lang`: its own, or `None` when it falls back to the default's.
    pub fn name_in(&self, lang: &str) -> Option<&str> {
        self.names.get(lang).map(String::as_str)
    }
}

impl Group {
    /// The name in language `lang`: its own, or `None` when it falls back to the default's.
    pub fn name_in(&self, lang: &str) -> Option<&str> {
        self.names.get(lang).map(String::as_str)
    }
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

    /// Whether pages can carry absolute addresses (canonical, `hreflang`, sharing cards).
    pub fn has_base_url(&self) -> bool {
        !self.base_url.is_empty()
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

/// Reads and checks `<root>/book.toml`, and that the theme it names exists.
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
    let found = match parse_raw(&text) {
        Ok(raw) => {
            let theme = raw.build.theme.clone();
            check(root, &text, raw).and_then(|config| match missing_theme(root, &text, theme) {
                Some(problem) => Err(vec![problem]),
                None => Ok(config),
            })
        }
        Err(problems) => Err(problems),
    };
    found.map_err(|problems| {
        diagnostics.extend(problems);
        diagnostics
    })
}

/// Parses and checks the text of a `book.toml`; of `root`, only the logo's file is looked at.
pub fn parse(root: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    check(root, text, parse_raw(text)?)
}

fn parse_raw(text: &str) -> Result<RawConfig, Vec<Diagnostic>> {
    toml::from_str(text).map_err(|e| vec![toml_error(FILE_NAME, text, 0, &e)])
}

/// The theme used when `[build] theme` is not set; its folder may be absent.
pub const DEFAULT_THEME: &str = "default";

/// Whether `id` is a plain name: lowercase ASCII letters, digits and `-`, not empty (so never
/// `.` or `..`). Ids of book.toml become folder and file names of the output (`vi/`,
/// `vi/linh-vuc/an-toan/`, `packs/hoclieu-can-bo.zip`) and theme folders: nothing that
/// could lead elsewhere, nor differ only in case on Windows or macOS, may pass.
pub fn is_plain_name(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The problem with an id of book.toml that is not a plain name: `key` shows where it is
/// (`[languages."../x"]`), `becomes` says what the id is made into.
fn bad_id(key: String, becomes: &str, span: std::ops::Range<usize>, text: &str) -> Diagnostic {
    Diagnostic::error(FILE_NAME, "bad-id", format!("{key}: not a plain name"))
        .at(Position::of_offset(text, span.start))
        .hint(format!("use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): {becomes}"))
}

fn check(root: &Path, text: &str, raw: RawConfig) -> Result<Config, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let at = |span: std::ops::Range<usize>| Position::of_offset(text, span.start);

    for (table, ids, becomes) in [
        ("languages", raw.languages.keys().collect::<Vec<_>>(), "it becomes the folder of the language's pages (vi/)"),
        ("domains", raw.domains.keys().collect(), "it becomes the folder of the domain's page (vi/linh-vuc/an-toan/)"),
        ("groups", raw.groups.keys().collect(), "it becomes the folder of the group's path (vi/nhom/nguoi-dan/)"),
        ("packs", raw.packs.keys().collect(), "it becomes the name of the pack's zip (packs/hoclieu-can-bo.zip)"),
    ] {
        for id in ids.into_iter().filter(|id| !is_plain_name(id.get_ref())) {
            problems.push(bad_id(format!("[{table}.{:?}]", id.get_ref()), becomes, id.span(), text));
        }
    }
    if let Some(theme) = raw.build.theme.as_ref().filter(|t| !is_plain_name(t.get_ref())) {
        problems.push(bad_id(
            format!("[build] theme = {:?}", theme.get_ref()),
            "the theme is the folder themes/<name>/ of the repository",
            theme.span(),
            text,
        ));
    }

    let mut languages = Vec::new();
    for (id, lang) in &raw.languages {
        let id = id.get_ref();
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
        let review = match lang.review.as_ref().map(|r| r.get_ref().as_str()) {
            Some("machine") => TextReview::Machine,
            None | Some("draft") => TextReview::Draft,
            Some("reviewed") => TextReview::Reviewed,
            Some(other) => {
                problems.push(
                    Diagnostic::error(
                        FILE_NAME,
                        "bad-value",
                        format!("unknown review \"{other}\" for language \"{id}\""),
                    )
                    .at(at(lang.review.as_ref().unwrap().span()))
                    .hint("use \"machine\", \"draft\" or \"reviewed\""),
                );
                TextReview::Draft
            }
        };
        languages.push(Language {
            id: LangId(id.clone()),
            name_vi: lang.name_vi.clone().filter(|n| *n != lang.name),
            name: lang.name.clone(),
            tag: lang.tag.clone().unwrap_or_else(|| id.clone()),
            script,
            font: lang.font.clone(),
            orthography: lang.orthography.clone(),
            site: SiteText {
                title: lang.site.title.clone(),
                description: lang.site.description.clone(),
                publisher: lang.site.publisher.clone(),
            },
            review,
        });
    }
    if languages.is_empty() {
        languages.push(Language {
            id: LangId("vi".into()),
            name: "Tiếng Việt".into(),
            name_vi: None,
            tag: "vi".into(),
            script: Script::Latin,
            font: None,
            orthography: None,
            site: SiteText::default(),
            review: TextReview::Draft,
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
            id: DomainId(id.get_ref().clone()),
            name: d.name.clone(),
            names: names(&d.names, &languages, &mut problems, &at),
            order: d.order.unwrap_or(i as i64 + 1),
            topics: d.topics.clone(),
        })
        .collect();
    domains.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));

    let mut groups = Vec::new();
    for (id, g) in &raw.groups {
        let id = id.get_ref();
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
        let names = names(&g.names, &languages, &mut problems, &at);
        groups.push(Group { id: GroupId(id.clone()), name: g.name.clone(), names, domains: group_domains });
    }

    let mut packs = Vec::new();
    for (id, pack) in &raw.packs {
        let id = id.get_ref();
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

    let mut logo = None;
    if let Some(spanned) = &raw.site.logo {
        match check_logo(root, spanned.get_ref()) {
            Some(problem) => problems.push(problem.at(at(spanned.span()))),
            None => logo = Some(PathBuf::from(spanned.get_ref())),
        }
    }
    let feedback = raw.site.feedback.as_ref().map_or(String::new(), |f| f.get_ref().trim().to_string());
    if let Some(spanned) = &raw.site.feedback {
        let ok = ["https://", "http://", "mailto:"].iter().any(|p| feedback.starts_with(p) && feedback.len() > p.len());
        if !ok {
            problems.push(
                Diagnostic::error(
                    FILE_NAME,
                    "bad-value",
                    format!("feedback \"{feedback}\" is not a web address or an e-mail link"),
                )
                .at(at(spanned.span()))
                .hint("use feedback = \"https://…\" (a form) or feedback = \"mailto:hoclieu@example.org\""),
            );
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Config {
        root: root.to_path_buf(),
        title: raw.site.title,
        description: raw.site.description,
        base_url: raw.site.base_url,
        publisher: raw.site.publisher,
        logo,
        feedback,
        default_language,
        languages,
        domains,
        groups,
        build: Build {
            out_dir: PathBuf::from(raw.build.out_dir.unwrap_or_else(|| "public".into())),
            precompress: raw.build.precompress.unwrap_or(true),
            theme: raw.build.theme.map_or_else(|| DEFAULT_THEME.into(), |t| t.into_inner()),
            packs: raw.build.packs.unwrap_or(false),
        },
        budgets: Budgets {
            lesson_kb: raw.budgets.lesson_kb.unwrap_or(20),
            js_kb: raw.budgets.js_kb.unwrap_or(8),
            image_kb: raw.budgets.image_kb.unwrap_or(100),
            page_images_kb: raw.budgets.page_images_kb.unwrap_or(600),
        },
        markdown: MarkdownOptions { unsafe_html: raw.markdown.unsafe_html.unwrap_or(false) },
        images: images(root, raw.images),
        packs,
    })
}

/// `[images]`: widths kept between 16 and 4000 pixels (the defaults when none is left),
/// qualities between 1 and 100; `cache_dir = ""` turns the cache off.
fn images(root: &Path, raw: raw::RawImages) -> crate::images::Settings {
    let defaults = crate::images::Settings::default();
    let mut widths: Vec<u32> = raw.widths.unwrap_or_default().into_iter().filter(|w| (16..=4000).contains(w)).collect();
    widths.sort_unstable();
    widths.dedup();
    let cache_dir = raw.cache_dir.unwrap_or_else(|| crate::images::cache::DEFAULT_DIR.to_string());
    crate::images::Settings {
        widths: if widths.is_empty() { defaults.widths } else { widths },
        photo_quality: raw.photo_quality.unwrap_or(defaults.photo_quality).clamp(1, 100),
        screen_quality: raw.screen_quality.unwrap_or(defaults.screen_quality).clamp(1, 100),
        limits: defaults.limits,
        cache: (!cache_dir.is_empty()).then(|| root.join(cache_dir)),
        originals: true,
    }
}

/// Names in other languages (`names = { hmn = "…" }`), each for a language of `[languages]`.
fn names(
    raw: &indexmap::IndexMap<String, toml::Spanned<String>>,
    languages: &[Language],
    problems: &mut Vec<Diagnostic>,
    at: &dyn Fn(std::ops::Range<usize>) -> Position,
) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for (lang, name) in raw {
        if languages.iter().any(|l| l.id.as_str() == lang) {
            names.insert(lang.clone(), name.get_ref().clone());
        } else {
            problems.push(
                unknown_id(FILE_NAME, "language", lang, languages.iter().map(|l| l.id.as_str())).at(at(name.span())),
            );
        }
    }
    names
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
