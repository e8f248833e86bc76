//! `book.toml` → [`Config`]: the site's settings and its taxonomy (languages, competency
//! domains, target groups), checked once so later stages can trust every id.
//!
//! Takes the repository root; returns a `Config` or the diagnostics that explain why not.
//! Never reads content. Defaults are applied here, in one place.

mod check;
mod raw;
mod referenced;
mod toml_errors;

use crate::msg;
use referenced::missing_theme;
pub use referenced::MAX_LOGO_BYTES;
pub use toml_errors::toml_error;
pub(crate) use toml_errors::{explained as explained_toml, wrong_type};

use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use check::check;
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
    /// The files made of the pack (`formats = ["zip", "zim"]`), at least one.
    pub formats: Vec<PackFormat>,
}

/// A file a pack is made into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PackFormat {
    /// `hoclieu-<id>.zip`: unzip and open `index.html`, or serve the folder.
    Zip,
    /// `hoclieu-<id>.zim`: opens in the Kiwix apps and `kiwix-serve`.
    Zim,
}

impl PackFormat {
    pub fn parse(name: &str) -> Option<PackFormat> {
        match name {
            "zip" => Some(PackFormat::Zip),
            "zim" => Some(PackFormat::Zim),
            _ => None,
        }
    }
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
    /// The build cache's folder, absolute (`[build] cache_dir`, see
    /// [`crate::output::cache`]); `None`: no cache.
    pub cache: Option<PathBuf>,
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
    Err(crate::Error::Usage(msg!("config.no-book", file = FILE_NAME, root = root.display())))
}

/// Reads and checks `<root>/book.toml`, and that the theme it names exists.
pub fn load(root: &Path) -> Result<Config, Diagnostics> {
    let path = root.join(FILE_NAME);
    let mut diagnostics = Diagnostics::new();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(FILE_NAME, "no-config", msg!("config.cannot-read", file = FILE_NAME, error = e))
                    .hint(msg!("config.cannot-read-hint")),
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

/// "unknown domain \"x\"" with a did-you-mean or the list of valid ids. One constructor for
/// every unknown taxonomy id, in `book.toml` and in front matter alike.
pub fn unknown_id<'a>(
    file: impl AsRef<Path>,
    kind: &str,
    id: &str,
    valid: impl Iterator<Item = &'a str> + Clone,
) -> Diagnostic {
    let hint = match did_you_mean(id, valid.clone()) {
        Some(best) => msg!("config.did-you-mean", best),
        None => msg!("front-matter.use-one-of", ids = valid.collect::<Vec<_>>().join(", ")),
    };
    let message = match kind {
        "domain" => msg!("config.unknown-domain", id),
        "group" => msg!("config.unknown-group", id),
        "language" => msg!("config.unknown-language", id),
        "pack format" => msg!("config.unknown-pack-format", id),
        _ => msg!("config.unknown-other", kind, id),
    };
    Diagnostic::error(file, "unknown-id", message).hint(hint)
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
        assert!(errors[0].message.contains("unknown key `precompres`"), "{}", errors[0].message);
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
