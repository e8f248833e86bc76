//! Markdown: the one place that knows pulldown-cmark. Two entry points over the same parser
//! settings, each in a file of its own ([`outline`] in `outline.rs`, [`render`] in `render.rs`):
//!
//! - [`outline`] reads a body for what linking needs: heading ids, links and images with
//!   their byte positions (no HTML is produced);
//! - [`to_html`] renders a body to safe HTML, rewriting links and images through a
//!   [`Resolve`] so every internal link in the output is relative.
//!
//! Heading ids come from [`HeadingIds`] in both, so an anchor that `outline` promises is the
//! one `to_html` writes.
//!
//! Two kinds of block are the renderer's own: ` ```quiz ` fences ([`quiz`]) and GitHub-style
//! callouts such as `> [!NOTE]` ([`callout`]). `outline` reports malformed quizzes as
//! [`TextProblem`]s; `to_html` writes both with UI strings from [`HtmlOptions::strings`].
//! Their HTML is built here and spliced in after raw HTML is sanitised, so the sanitiser
//! can stay strict about what authors write (no forms, buttons or `role`s).
//!
//! No script reaches a page from Markdown: raw HTML goes through the sanitiser
//! ([`sanitize`]); everything else is written by pulldown-cmark or by us from escaped
//! parts, with the two things Markdown lets an author put in an attribute held here:
//! heading attributes are kept to `id` and `class`, and links and images whose scheme is
//! not http, https, mailto or tel ([`url`]) are written as their text. `outline` reports
//! both as warnings, and every start tag of raw HTML that the sanitiser would remove or
//! strip of an attribute (`Vec<T>` outside backticks, `<script>`, `onclick`: [`raw_tags`]
//! reads the tags, [`sanitize::verdict`] asks the sanitiser), and the [`limits`] of a page (nesting, headings, table cells, raw
//! HTML tags) as errors, so a page that would stall the build is refused before rendering.

mod callout;
mod highlight;
pub mod limits;
pub mod loads;
mod outline;
pub mod quiz;
mod raw_tags;
mod render;
mod sanitize;
pub mod url;

pub use highlight::css as highlight_css;
pub use outline::outline;
pub use render::{render, to_html, Html};

use crate::diag::Severity;
use crate::slug::slugify;
use pulldown_cmark::{Event, HeadingLevel, Options};
use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// pulldown-cmark's settings, the same for reading and rendering.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// A heading of a page, with the id its anchor gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// A link or image destination as the author wrote it, with its place in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub dest: String,
    /// Byte range in the body.
    pub range: Range<usize>,
    pub is_image: bool,
    /// For images: the alt text.
    pub alt: String,
}

/// A problem in a body that linking reports: a malformed quiz, a heading attribute or a
/// link the renderer will not write, a limit crossed. With its place in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextProblem {
    /// Byte offset in the body.
    pub offset: usize,
    pub severity: Severity,
    /// The diagnostic's code (`bad-quiz`, `heading-attribute`, `too-deep`…).
    pub code: &'static str,
    pub message: String,
    pub hint: String,
}

#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub headings: Vec<Heading>,
    /// The readable text for the search index: paragraphs, lists, tables and headings, one
    /// block a line; code blocks (and quizzes) and raw HTML left out.
    pub text: Arc<str>,
    /// Labels of the footnote definitions (`[^ghi-chu]: …`), sorted: the renderer makes each
    /// an anchor (`id="ghi-chu"`) as it is written.
    pub footnotes: Vec<String>,
    /// Links (autolinks too, but not email autolinks) and images.
    pub links: Vec<LinkRef>,
    pub problems: Vec<TextProblem>,
}

/// Hands out unique heading ids: ASCII slugs of the heading text, `-2`, `-3`… on repeats.
///
/// Linear in the number of headings however they repeat: each base id remembers the
/// number it reached, so the thousandth `## Mục` does not try `muc-2` … `muc-999` again.
/// (A candidate `base-n` names its base and number alone, so each id in use turns away at
/// most one try, ever.)
#[derive(Default)]
pub struct HeadingIds {
    /// Every id handed out, and for a base, the next number to try.
    used: HashMap<String, usize>,
}

impl HeadingIds {
    pub fn next(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = match explicit {
            Some(id) => id.to_string(),
            None => {
                let slug = slugify(text);
                if slug.is_empty() {
                    "muc".to_string()
                } else {
                    slug
                }
            }
        };
        let mut n = match self.used.get(&base) {
            None => {
                self.used.insert(base.clone(), 2);
                return base;
            }
            Some(&n) => n,
        };
        let id = loop {
            let id = format!("{base}-{n}");
            n += 1;
            if !self.used.contains_key(&id) {
                break id;
            }
        };
        self.used.insert(base, n);
        self.used.insert(id.clone(), 2);
        id
    }
}

/// Where a link or image destination points once resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The URL to write: relative for internal targets, unchanged for external ones.
    pub url: String,
    /// For local files (images, linked files): the source file.
    pub file: Option<PathBuf>,
    /// For images: width and height, as the site read them from the file.
    pub size: Option<(u64, u64)>,
    /// For images made into variants of several widths ([`crate::images`]).
    pub picture: Option<Picture>,
}

/// An image made into WebP variants: what its `<img srcset>` offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Width and height as shown (orientation applied).
    pub width: u32,
    pub height: u32,
    /// `(relative URL, width, bytes)` of each variant, ascending widths.
    pub sources: Vec<(String, u32, u64)>,
    /// How many of `sources`, from the first, a phone needs: what the page's loads list
    /// (so offline saves carry them), the last of them its `src`.
    pub phone: usize,
    /// Whether the original may be linked (`#goc`): not in offline packs.
    pub originals: bool,
}

/// The fragment that asks for the "Xem ảnh gốc" link under an image: `![…](anh.jpg#goc)`.
pub const ORIGINAL_FRAGMENT: &str = "#goc";

/// The `sizes` of an image across the page: the theme's column is 42rem with 1rem of
/// padding each side.
pub const IMAGE_SIZES: &str = "(max-width: 42rem) calc(100vw - 2rem), 40rem";

/// Resolves destinations as written by the author; `None` leaves them unchanged (the
/// problem was reported when the site was linked).
pub trait Resolve {
    fn resolve(&self, dest: &str) -> Option<Resolved>;

    /// Whether `dest` names a page this build leaves out on purpose (an offline pack holds
    /// part of the site): the link becomes its text and a "not in this pack" note. Asked
    /// only of a link that [`Resolve::resolve`] left unresolved (`None`), as such a page is.
    fn left_out(&self, _dest: &str) -> bool {
        false
    }
}

/// Settings for [`to_html`].
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions<'a> {
    /// Trust raw HTML in the Markdown instead of sanitising it.
    pub unsafe_html: bool,
    /// The theme's UI strings in the page's language, for quiz and callout labels (keys
    /// `quiz_*` and `callout_*`); missing keys fall back to Vietnamese.
    pub strings: Option<&'a toml::Table>,
}

/// The built-in theme's Vietnamese strings, the reference every language's file follows:
/// labels for the blocks the renderer writes when no table is given or it lacks a key.
static BUILT_IN_STRINGS: std::sync::LazyLock<toml::Table> = std::sync::LazyLock::new(|| {
    toml::from_str(include_str!("../../themes/default/i18n/vi.toml")).expect("the built-in vi.toml is valid TOML")
});

/// UI strings: the theme's table, then [`BUILT_IN_STRINGS`].
pub struct Strings<'a>(Option<&'a toml::Table>);

impl<'a> Strings<'a> {
    pub fn get(&self, key: &str) -> &'a str {
        self.0
            .and_then(|table| table.get(key))
            .and_then(toml::Value::as_str)
            .or_else(|| BUILT_IN_STRINGS.get(key).and_then(toml::Value::as_str))
            .unwrap_or_default()
    }
}

/// Marks where a block built by the renderer goes (`\u{E000}3\u{E000}` is block 3): plain
/// text to the sanitiser, replaced once it is done.
const SLOT: char = '\u{E000}';

fn slot(blocks: &mut Vec<String>, mut html: String) -> Event<'static> {
    // The slot's event ends the line, so the HTML writer starts what follows on a new one.
    if html.ends_with('\n') {
        html.pop();
    }
    blocks.push(html);
    Event::Html(format!("{SLOT}{}{SLOT}\n", blocks.len() - 1).into())
}

/// Puts the renderer's blocks into their slots.
fn fill_slots(html: String, blocks: &[String]) -> String {
    if blocks.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + blocks.iter().map(String::len).sum::<usize>());
    let mut rest = html.as_str();
    while let Some(start) = rest.find(SLOT) {
        out.push_str(&rest[..start]);
        let after = &rest[start + SLOT.len_utf8()..];
        let block = after.find(SLOT).and_then(|end| Some((end, blocks.get(after[..end].parse::<usize>().ok()?)?)));
        match block {
            Some((end, block)) => {
                out.push_str(block);
                rest = &after[end + SLOT.len_utf8()..];
            }
            None => {
                out.push(SLOT);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Width and height of an SVG, from its `width` and `height` or its `viewBox`.
pub fn svg_size(svg: &str) -> Option<(u64, u64)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(&tag[at..at + tag[at..].find('"')?])
    };
    let number = |s: &str| s.trim_end_matches("px").trim().parse::<f64>().ok();
    if let (Some(w), Some(h)) = (attr("width").and_then(number), attr("height").and_then(number)) {
        return Some((w.round() as u64, h.round() as u64));
    }
    let parts: Vec<f64> = attr("viewBox")?.split([' ', ',']).filter_map(|p| p.parse().ok()).collect();
    (parts.len() == 4).then(|| (parts[2].round() as u64, parts[3].round() as u64))
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// The crate's one HTML escape, for text and quoted attribute values (templates, listings,
/// the blocks the renderer writes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut plain = 0;
    // the five characters are ASCII: the bytes between them are copied as they are
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out
}

#[cfg(test)]
mod tests;
