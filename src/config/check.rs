//! From [`RawConfig`] to [`Config`], in named steps: ids that become file names, languages,
//! the default language, domains, groups, packs, logo and feedback address. Every step adds
//! its problems to one list, in the order of the steps, so one run reports them all.

use super::raw::{RawConfig, RawLanguage, RawPack};
use super::referenced::check_logo;
use super::PackFormat;
use super::{
    is_plain_name, unknown_id, Budgets, Build, Config, Domain, DomainId, Group, GroupId, LangId, Language,
    MarkdownOptions, Pack, Script, SiteText, TextReview, DEFAULT_THEME, FILE_NAME,
};
use crate::diag::{Diagnostic, Position};
use crate::msg;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Checks the parsed `book.toml` (`text` is its text, for positions); of `root`, only the
/// logo's file is looked at.
pub(super) fn check(root: &Path, text: &str, raw: RawConfig) -> Result<Config, Vec<Diagnostic>> {
    let mut checker = Checker { text, problems: Vec::new() };
    checker.ids(&raw);
    let mut languages = checker.languages(&raw);
    let default_language = checker.default_language(&raw, &mut languages);
    let domains = checker.domains(&raw, &languages);
    let groups = checker.groups(&raw, &languages, &domains);
    let packs = checker.packs(&raw, &languages, &groups, &domains, &default_language);
    let logo = checker.logo(root, &raw);
    let feedback = checker.feedback(&raw);
    if !checker.problems.is_empty() {
        return Err(checker.problems);
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
            cache: Some(raw.build.cache_dir.unwrap_or_else(|| crate::output::cache::DEFAULT_DIR.to_string()))
                .filter(|dir| !dir.is_empty())
                .map(|dir| root.join(dir)),
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
fn images(root: &Path, raw: super::raw::RawImages) -> crate::images::Settings {
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

/// The text being checked and the problems found so far.
struct Checker<'a> {
    text: &'a str,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&self, span: Range<usize>) -> Position {
        Position::of_offset(self.text, span.start)
    }

    /// Ids of book.toml become folder and file names of the output, the theme a folder of
    /// the repository: each must be a plain name.
    fn ids(&mut self, raw: &RawConfig) {
        for (table, ids, becomes) in [
            ("languages", raw.languages.keys().collect::<Vec<_>>(), msg!("config.id-language")),
            ("domains", raw.domains.keys().collect(), msg!("config.id-domain")),
            ("groups", raw.groups.keys().collect(), msg!("config.id-group")),
            ("packs", raw.packs.keys().collect(), msg!("config.id-pack")),
        ] {
            for id in ids.into_iter().filter(|id| !is_plain_name(id.get_ref())) {
                self.bad_id(format!("[{table}.{:?}]", id.get_ref()), &becomes, id.span());
            }
        }
        if let Some(theme) = raw.build.theme.as_ref().filter(|t| !is_plain_name(t.get_ref())) {
            self.bad_id(format!("[build] theme = {:?}", theme.get_ref()), &msg!("config.id-theme"), theme.span());
        }
    }

    /// An id that is not a plain name: `key` shows where it is (`[languages."../x"]`),
    /// `becomes` says what the id is made into.
    fn bad_id(&mut self, key: String, becomes: &str, span: Range<usize>) {
        let problem = Diagnostic::error(FILE_NAME, "bad-id", msg!("config.bad-id", key))
            .at(self.at(span))
            .hint(msg!("config.bad-id-hint", becomes));
        self.problems.push(problem);
    }

    /// `[languages]` in file order; Vietnamese alone when there is none.
    fn languages(&mut self, raw: &RawConfig) -> Vec<Language> {
        let mut languages: Vec<Language> =
            raw.languages.iter().map(|(id, lang)| self.language(id.get_ref(), lang)).collect();
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
        languages
    }

    fn language(&mut self, id: &str, lang: &RawLanguage) -> Language {
        let script = self.one_of(
            &lang.script,
            &[("Latn", Script::Latin), ("Tavt", Script::TaiViet)],
            Script::Latin,
            |script| msg!("config.unknown-script", script, id),
            &msg!("config.unknown-script-hint"),
        );
        let review = self.one_of(
            &lang.review,
            &[("machine", TextReview::Machine), ("draft", TextReview::Draft), ("reviewed", TextReview::Reviewed)],
            TextReview::Draft,
            |review| msg!("config.unknown-review", review, id),
            &msg!("config.unknown-review-hint"),
        );
        Language {
            id: LangId(id.to_string()),
            name_vi: lang.name_vi.clone().filter(|n| *n != lang.name),
            name: lang.name.clone(),
            tag: lang.tag.clone().unwrap_or_else(|| id.to_string()),
            script,
            font: lang.font.clone(),
            orthography: lang.orthography.clone(),
            site: SiteText {
                title: lang.site.title.clone(),
                description: lang.site.description.clone(),
                publisher: lang.site.publisher.clone(),
            },
            review,
        }
    }

    /// The value named by `given` among `known`; `default` when absent or unknown (then a
    /// problem with the `message` for the name given).
    fn one_of<T: Copy>(
        &mut self,
        given: &Option<Spanned<String>>,
        known: &[(&str, T)],
        default: T,
        message: impl Fn(&str) -> String,
        hint: &str,
    ) -> T {
        let Some(given) = given else { return default };
        if let Some((_, value)) = known.iter().find(|(name, _)| name == given.get_ref()) {
            return *value;
        }
        let problem = Diagnostic::error(FILE_NAME, "bad-value", message(given.get_ref()));
        self.problems.push(problem.at(self.at(given.span())).hint(hint));
        default
    }

    /// `[site] default_language`, moved to the front of `languages`; the first language
    /// when not given (or unknown).
    fn default_language(&mut self, raw: &RawConfig, languages: &mut Vec<Language>) -> LangId {
        let Some(spanned) = &raw.site.default_language else { return languages[0].id.clone() };
        let wanted = spanned.get_ref();
        match languages.iter().position(|l| l.id.as_str() == wanted) {
            Some(i) => {
                let lang = languages.remove(i);
                languages.insert(0, lang);
            }
            None => {
                let ids: Vec<&str> = languages.iter().map(|l| l.id.as_str()).collect();
                self.problems.push(
                    Diagnostic::error(FILE_NAME, "unknown-language", msg!("config.unknown-default-language", wanted))
                        .at(self.at(spanned.span()))
                        .hint(msg!("config.unknown-default-language-hint", wanted, ids = ids.join(", "))),
                );
            }
        }
        languages[0].id.clone()
    }

    /// `[domains]`, sorted by `order` (their place in the file when not given), then id.
    fn domains(&mut self, raw: &RawConfig, languages: &[Language]) -> Vec<Domain> {
        let mut domains: Vec<Domain> = raw
            .domains
            .iter()
            .enumerate()
            .map(|(i, (id, d))| Domain {
                id: DomainId(id.get_ref().clone()),
                name: d.name.clone(),
                names: self.names(&d.names, languages),
                order: d.order.unwrap_or(i as i64 + 1),
                topics: d.topics.clone(),
            })
            .collect();
        domains.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        domains
    }

    /// `[groups]` in file order, each with the known domains it names.
    fn groups(&mut self, raw: &RawConfig, languages: &[Language], domains: &[Domain]) -> Vec<Group> {
        let mut groups = Vec::new();
        for (id, g) in &raw.groups {
            let mut group_domains = Vec::new();
            for domain in &g.domains {
                let name = domain.get_ref();
                if domains.iter().any(|d| d.id.as_str() == name) {
                    group_domains.push(DomainId(name.clone()));
                } else {
                    let problem = unknown_id(FILE_NAME, "domain", name, domains.iter().map(|d| d.id.as_str()));
                    self.problems.push(problem.at(self.at(domain.span())));
                }
            }
            let names = self.names(&g.names, languages);
            groups.push(Group {
                id: GroupId(id.get_ref().clone()),
                name: g.name.clone(),
                names,
                domains: group_domains,
            });
        }
        groups
    }

    /// Names in other languages (`names = { hmn = "…" }`), each for a language of `[languages]`.
    fn names(
        &mut self,
        raw: &indexmap::IndexMap<String, Spanned<String>>,
        languages: &[Language],
    ) -> BTreeMap<String, String> {
        let mut names = BTreeMap::new();
        for (lang, name) in raw {
            if languages.iter().any(|l| l.id.as_str() == lang) {
                names.insert(lang.clone(), name.get_ref().clone());
            } else {
                let problem = unknown_id(FILE_NAME, "language", lang, languages.iter().map(|l| l.id.as_str()));
                self.problems.push(problem.at(self.at(name.span())));
            }
        }
        names
    }

    /// `[packs]` in file order, each naming known languages, groups and domains.
    fn packs(
        &mut self,
        raw: &RawConfig,
        languages: &[Language],
        groups: &[Group],
        domains: &[Domain],
        default_language: &LangId,
    ) -> Vec<Pack> {
        raw.packs
            .iter()
            .map(|(id, pack)| self.pack(id.get_ref(), pack, languages, groups, domains, default_language))
            .collect()
    }

    fn pack(
        &mut self,
        id: &str,
        pack: &RawPack,
        languages: &[Language],
        groups: &[Group],
        domains: &[Domain],
        default_language: &LangId,
    ) -> Pack {
        for lang in pack.languages.iter().filter(|l| !languages.iter().any(|x| x.id.as_str() == l.as_str())) {
            self.problems.push(unknown_id(FILE_NAME, "language", lang, languages.iter().map(|l| l.id.as_str())));
        }
        for group in pack.groups.iter().filter(|g| !groups.iter().any(|x| x.id.as_str() == g.as_str())) {
            self.problems.push(unknown_id(FILE_NAME, "group", group, groups.iter().map(|g| g.id.as_str())));
        }
        for domain in pack.domains.iter().filter(|d| !domains.iter().any(|x| x.id.as_str() == d.as_str())) {
            self.problems.push(unknown_id(FILE_NAME, "domain", domain, domains.iter().map(|d| d.id.as_str())));
        }
        if pack.groups.is_empty() {
            self.problems.push(
                Diagnostic::error(FILE_NAME, "empty-pack", msg!("config.empty-pack", id))
                    .hint(msg!("config.empty-pack-hint", id)),
            );
        }
        // the default language is in every pack: it is the text of untranslated lessons
        let mut pack_languages = vec![default_language.clone()];
        for lang in languages {
            if lang.id != *default_language && pack.languages.iter().any(|l| l == lang.id.as_str()) {
                pack_languages.push(lang.id.clone());
            }
        }
        let mut formats = Vec::new();
        for name in &pack.formats {
            match PackFormat::parse(name) {
                Some(format) if !formats.contains(&format) => formats.push(format),
                Some(_) => {}
                None => self.problems.push(unknown_id(FILE_NAME, "pack format", name, ["zip", "zim"].into_iter())),
            }
        }
        if formats.is_empty() {
            formats.push(PackFormat::Zip);
        }
        formats.sort();
        Pack {
            id: id.to_string(),
            formats,
            title: pack.title.clone(),
            languages: pack_languages,
            groups: groups.iter().filter(|g| pack.groups.contains(&g.id.0)).map(|g| g.id.clone()).collect(),
            domains: domains.iter().filter(|d| pack.domains.contains(&d.id.0)).map(|d| d.id.clone()).collect(),
        }
    }

    /// `[site] logo`, when it names a small SVG of the repository.
    fn logo(&mut self, root: &Path, raw: &RawConfig) -> Option<PathBuf> {
        let spanned = raw.site.logo.as_ref()?;
        match check_logo(root, spanned.get_ref()) {
            Some(problem) => {
                self.problems.push(problem.at(self.at(spanned.span())));
                None
            }
            None => Some(PathBuf::from(spanned.get_ref())),
        }
    }

    /// `[site] feedback`, trimmed: a web address or a `mailto:` link (empty when not given).
    fn feedback(&mut self, raw: &RawConfig) -> String {
        let Some(spanned) = &raw.site.feedback else { return String::new() };
        let feedback = spanned.get_ref().trim().to_string();
        let ok = ["https://", "http://", "mailto:"].iter().any(|p| feedback.starts_with(p) && feedback.len() > p.len());
        if !ok {
            self.problems.push(
                Diagnostic::error(FILE_NAME, "bad-value", msg!("config.bad-feedback", feedback))
                    .at(self.at(spanned.span()))
                    .hint(msg!("config.bad-feedback-hint")),
            );
        }
        feedback
    }
}
