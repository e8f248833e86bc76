//! Link resolution: authors link by *source* path (`../giao-tiep/zalo.md#cai-dat`), the
//! output needs the *relative URL* of the built page (`../../giao-tiep/zalo/index.html#cai-dat`).
//! One resolver serves both checking (with diagnostics) and rendering (without).

use super::{Page, Site, Uses};
use crate::diag::{did_you_mean, Diagnostic, Position, Severity};
use crate::markdown::{self, url::scheme, Resolve, Resolved};
use crate::msg;
use std::path::{Path, PathBuf};

/// Why a destination does not resolve.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    UnsafeScheme(String),
    Absolute,
    OutsideContent,
    MissingPage(String),
    MissingFile(String),
    /// No heading `anchor` on the page `key` (in the default language).
    MissingAnchor {
        anchor: String,
        key: usize,
    },
    /// A page this build leaves out on purpose (not in the pack): not an error.
    LeftOut,
}

/// Resolves destinations written in one page.
pub struct PageResolver<'a> {
    pub site: &'a Site,
    pub page: &'a Page,
}

impl Resolve for PageResolver<'_> {
    fn resolve(&self, dest: &str) -> Option<Resolved> {
        resolve(self.site, self.page, dest).ok()
    }

    fn left_out(&self, dest: &str) -> bool {
        resolve(self.site, self.page, dest) == Err(Problem::LeftOut)
    }
}

/// Problems reported for one page at most; the rest are counted in one more. Each costs a
/// look through the file for its line (and the printer another): a page of a million
/// broken links must not cost a million.
pub const MAX_PROBLEMS_PER_PAGE: usize = 100;

/// Checks every link and image of a page, and the blocks of its text (as
/// [`markdown::outline`] found them).
pub fn check(site: &Site, page: &Page, outline: &markdown::Outline) -> Vec<Diagnostic> {
    let file = &page.source.path;
    let mut problems = Vec::new();
    // problems not shown, and whether one of them is an error
    let (mut more, mut more_errors) = (0, false);
    for link in &outline.links {
        if problems.len() >= MAX_PROBLEMS_PER_PAGE {
            if let Some(severity) = link_problem(site, page, link) {
                more += 1;
                more_errors |= severity == Severity::Error;
            }
            continue;
        }
        // most links are fine: the position is worked out only for a problem
        let at = || Position::of_offset(&page.source.text, page.source.body_start + link.range.start);
        if link.is_image && link.alt.trim().is_empty() {
            problems.push(
                Diagnostic::warning(file, "missing-alt", msg!("links.missing-alt"))
                    .at(at())
                    .hint(msg!("links.missing-alt-hint")),
            );
        }
        if let Some(scheme) = scheme(&link.dest).filter(|_| link.is_image) {
            let hint = msg!("links.foreign-image-hint");
            let diagnostic = if scheme == "http" || scheme == "https" {
                Diagnostic::error(file, "foreign-request", msg!("links.foreign-image", dest = link.dest))
            } else {
                Diagnostic::error(file, "unsafe-link", msg!("links.image-scheme", scheme))
            };
            problems.push(diagnostic.at(at()).hint(hint));
            continue;
        }
        let Err(problem) = resolve(site, page, &link.dest) else {
            continue;
        };
        let diagnostic = match problem {
            Problem::LeftOut => continue,
            Problem::UnsafeScheme(scheme) => {
                Diagnostic::warning(file, "unsafe-link", msg!("links.scheme", scheme)).hint(msg!("links.scheme-hint"))
            }
            Problem::Absolute => Diagnostic::error(file, "absolute-link", msg!("links.absolute", dest = link.dest))
                .hint(msg!("links.absolute-hint")),
            Problem::OutsideContent => Diagnostic::error(file, "broken-link", msg!("links.outside", dest = link.dest))
                .hint(msg!("links.outside-hint")),
            Problem::MissingPage(path) => Diagnostic::error(file, "broken-link", msg!("links.missing-page", path))
                .hint(msg!("links.missing-page-hint")),
            Problem::MissingFile(path) => {
                let message =
                    if link.is_image { msg!("links.missing-image", path) } else { msg!("links.missing-file", path) };
                Diagnostic::error(file, "missing-file", message).hint(msg!("links.missing-file-hint"))
            }
            Problem::MissingAnchor { anchor, key } => {
                let original = site.page(key, 0);
                let suggestion = did_you_mean(&anchor, original.headings.iter().map(|h| h.id.as_str()));
                let hint = match suggestion {
                    Some(s) => msg!("links.did-you-mean-anchor", anchor = s),
                    None => msg!("links.anchor-hint"),
                };
                Diagnostic::error(
                    file,
                    "broken-anchor",
                    msg!("links.missing-anchor", anchor, file = original.source.path.display()),
                )
                .hint(hint)
            }
        };
        problems.push(diagnostic.at(at()));
    }
    // Malformed quizzes, at their line inside the block; dropped heading attributes; limits.
    for problem in &outline.problems {
        // with `[markdown] unsafe_html` raw HTML is written as it is: nothing is removed
        if problem.code == "html-removed" && site.config.markdown.unsafe_html {
            continue;
        }
        if problems.len() >= MAX_PROBLEMS_PER_PAGE {
            more += 1;
            more_errors |= problem.severity == Severity::Error;
            continue;
        }
        let at = Position::of_offset(&page.source.text, page.source.body_start + problem.offset);
        let mut diagnostic = Diagnostic::error(file, problem.code, problem.message.clone()).at(at).hint(&problem.hint);
        diagnostic.severity = problem.severity;
        problems.push(diagnostic);
    }
    if more > 0 {
        let message = if more == 1 { msg!("links.one-more-problem") } else { msg!("links.more-problems", more) };
        let mut diagnostic = Diagnostic::warning(file, "more-problems", message).hint(msg!("links.more-problems-hint"));
        // an error among those not shown still stops the build
        if more_errors {
            diagnostic.severity = Severity::Error;
        }
        problems.push(diagnostic);
    }
    problems
}

/// How bad the worst problem [`check`] would report for `link` is (without the cost of
/// reporting it).
fn link_problem(site: &Site, page: &Page, link: &markdown::LinkRef) -> Option<Severity> {
    if link.is_image && scheme(&link.dest).is_some() {
        return Some(Severity::Error);
    }
    match resolve(site, page, &link.dest) {
        Ok(_) | Err(Problem::LeftOut) => (link.is_image && link.alt.trim().is_empty()).then_some(Severity::Warning),
        Err(Problem::UnsafeScheme(_)) => Some(Severity::Warning),
        Err(_) => Some(Severity::Error),
    }
}

fn resolve(site: &Site, from: &Page, dest: &str) -> Result<Resolved, Problem> {
    if let Some(scheme) = scheme(dest) {
        return if markdown::url::SAFE_SCHEMES.contains(&scheme.as_str()) {
            Ok(Resolved { url: dest.to_string(), file: None, size: None, picture: None })
        } else {
            Err(Problem::UnsafeScheme(scheme))
        };
    }
    if dest.starts_with('/') {
        return Err(Problem::Absolute);
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (dest, None),
    };
    let path = percent_decode(path.split('?').next().unwrap_or(path));
    let target = if path.is_empty() {
        from
    } else {
        let joined = joined_path(from, &path).ok_or(Problem::OutsideContent)?;
        if !joined.starts_with("content") {
            return Err(Problem::OutsideContent);
        }
        if let Some(key) = site.page_by_source(&joined).or_else(|| site.page_by_source(&joined.join("_index.md"))) {
            // the same page in the reader's language
            site.page(key, from.lang)
        } else if let Some(&asset) = site.assets_by_source.get(&joined) {
            let asset = &site.assets[asset];
            let picture = asset.image.as_ref().map(|image| markdown::Picture {
                width: image.width,
                height: image.height,
                sources: image
                    .variants
                    .iter()
                    .map(|v| (relative_url(&from.output, &v.output), v.width, v.bytes.len() as u64))
                    .collect(),
                phone: image.phone_variants().len(),
                originals: site.config.images.originals,
            });
            return Ok(Resolved {
                url: relative_url(&from.output, &asset.output),
                file: Some(site.config.root.join(&asset.source)),
                size: asset.size,
                picture,
            });
        } else if site.is_left_out(&joined) || site.is_left_out(&joined.join("_index.md")) {
            return Err(Problem::LeftOut);
        } else if joined.extension().is_some_and(|e| e == "md") || joined.extension().is_none() {
            return Err(Problem::MissingPage(joined.display().to_string()));
        } else {
            return Err(Problem::MissingFile(joined.display().to_string()));
        }
    };
    let mut url = if std::ptr::eq(target, from) { String::new() } else { relative_url(&from.output, &target.output) };
    if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
        let anchor = percent_decode(anchor);
        let has = |page: &Page| page.has_heading(&anchor) || page.footnotes.binary_search(&anchor).is_ok();
        if has(target) {
            url.push('#');
            url.push_str(&anchor);
        } else if !has(site.page(target.key, 0)) {
            return Err(Problem::MissingAnchor { anchor, key: target.key });
        }
        // else: a translation titles its headings in its own words; link to the page
    }
    if url.is_empty() {
        url = relative_url(&from.output, &target.output);
    }
    Ok(Resolved { url, file: None, size: None, picture: None })
}

/// The source file a relative path written in `from` names.
fn joined_path(from: &Page, path: &str) -> Option<PathBuf> {
    crate::fs::normalise(&from.source.path.parent().unwrap_or(Path::new("")).join(path))
}

/// What a page's links and images lead to: the keys of the pages its links lead to (for
/// knowing when its rendering depends on language), and all the pages and assets its links
/// and images lead to (what rendering its text looks up beyond the text itself).
pub fn targets(site: &Site, page: &Page, links: &[markdown::LinkRef]) -> (Vec<usize>, Uses) {
    let mut links_to = Vec::new();
    let mut uses = Uses::default();
    for link in links.iter().filter(|l| scheme(&l.dest).is_none()) {
        let path = percent_decode(link.dest.split(['#', '?']).next().unwrap_or(""));
        let Some(joined) = (!path.is_empty()).then(|| joined_path(page, &path)).flatten() else { continue };
        if let Some(key) = site.page_by_source(&joined).or_else(|| site.page_by_source(&joined.join("_index.md"))) {
            uses.pages.push(key);
            if !link.is_image {
                links_to.push(key);
            }
        } else if let Some(&asset) = site.assets_by_source.get(&joined) {
            uses.assets.push(asset);
        }
    }
    for list in [&mut links_to, &mut uses.pages, &mut uses.assets] {
        list.sort_unstable();
        list.dedup();
    }
    (links_to, uses)
}

/// `%C6%A1` → `ơ`; malformed escapes (`%zz`, a lone `%`) are kept as they are, bytes that
/// are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// The relative URL from the page at output path `from` to the file at `to`, both relative
/// to the output root: `relative_url("vi/a/b/index.html", "vi/c/index.html")` is
/// `../../c/index.html`.
pub fn relative_url(from: &str, to: &str) -> String {
    // the folders of `from`, and the parts of `to` left after those they share (never its
    // last part, the file itself)
    let (dirs, depth) = match from.rfind('/') {
        Some(end) => (&from[..end], from[..end].split('/').count()),
        None => ("", 0),
    };
    let mut shared = 0;
    let mut rest = to;
    for dir in dirs.split('/').take(depth) {
        match rest.split_once('/') {
            Some((part, after)) if part == dir => {
                shared += 1;
                rest = after;
            }
            _ => break,
        }
    }
    let mut url = String::with_capacity(3 * (depth - shared) + rest.len());
    for _ in shared..depth {
        url.push_str("../");
    }
    url.push_str(rest);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn relative_urls_are_those_of_the_component_lists(
            from in "([a-c]{0,2}/){0,4}[a-c]{0,2}",
            to in "([a-c]{0,2}/){0,4}[a-c]{0,2}",
        ) {
            // the definition: `from`'s folders and `to`'s parts, the shared ones dropped
            let from_dirs: Vec<&str> = from.split('/').collect();
            let from_dirs = &from_dirs[..from_dirs.len() - 1];
            let to_parts: Vec<&str> = to.split('/').collect();
            let common =
                from_dirs.iter().zip(&to_parts).take_while(|(a, b)| a == b).count().min(to_parts.len() - 1);
            let want = "../".repeat(from_dirs.len() - common) + &to_parts[common..].join("/");
            proptest::prop_assert_eq!(relative_url(&from, &to), want);
        }
    }

    #[test]
    fn relative_urls_between_output_files() {
        let cases = [
            ("vi/a/b/index.html", "vi/c/index.html", "../../c/index.html"),
            ("vi/a/b/index.html", "vi/a/c/index.html", "../c/index.html"),
            ("vi/a/b/index.html", "vi/a/b/index.html", "index.html"),
            ("vi/index.html", "media/a/x.png", "../media/a/x.png"),
            ("index.html", "vi/index.html", "vi/index.html"),
            ("vi/a/index.html", "vi/a/b/index.html", "b/index.html"),
            ("vi/a/b/index.html", "assets/style.1234.css", "../../../assets/style.1234.css"),
        ];
        for (from, to, want) in cases {
            assert_eq!(relative_url(from, to), want, "{from} -> {to}");
        }
    }

    #[test]
    fn schemes_and_paths() {
        assert_eq!(crate::fs::normalise(Path::new("content/a/../b/./c.md")), Some(PathBuf::from("content/b/c.md")));
        assert_eq!(crate::fs::normalise(Path::new("content/../../x")), None);
        assert_eq!(percent_decode("m%E1%BA%ADt.md"), "mật.md");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn percent_decoding_of_tricky_links() {
        assert_eq!(percent_decode("%zz%2"), "%zz%2", "malformed escapes stay as written");
        assert_eq!(percent_decode("a%2Fb%2fc"), "a/b/c", "either case of hex digits");
        assert_eq!(percent_decode("%C3"), "\u{FFFD}", "a cut UTF-8 sequence");
        assert_eq!(percent_decode("m%E1%BA%ADt%20kh%E1%BA%A9u"), "mật khẩu");
        assert_eq!(percent_decode("m%E1%BAt"), "m\u{FFFD}t");
        assert_eq!(percent_decode("%2541"), "%41", "decoded once");
        assert_eq!(percent_decode("%+1%-1"), "%+1%-1", "a sign is not a hex digit");
        assert_eq!(percent_decode("mật%21"), "mật!", "text around escapes is kept");
    }
}
