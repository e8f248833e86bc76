//! Markdown: the one place that knows pulldown-cmark. Two entry points over the same parser
//! settings:
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
//! both as warnings, and the [`limits`] of a page (nesting, headings, table cells, raw
//! HTML tags) as errors, so a page that would stall the build is refused before rendering.

mod callout;
mod highlight;
pub mod limits;
pub mod loads;
pub mod quiz;
mod sanitize;
pub mod url;

pub use highlight::css as highlight_css;

use crate::diag::Severity;
use crate::slug::slugify;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

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

/// The names of a heading's attributes other than `id` and `class`, which the renderer
/// drops (`{onfocus=…}` would run script, `{style=…}` could cover the page).
fn dropped_attributes(attrs: &[(CowStr, Option<CowStr>)]) -> Vec<String> {
    attrs.iter().map(|(name, _)| format!("`{name}`")).collect()
}

/// Reads headings, links, problems and the readable text of a Markdown body, in one pass.
/// Stops at the first limit crossed (see [`limits`]): the page is refused, what follows
/// does not matter.
pub fn outline(body: &str) -> Outline {
    let mut outline = Outline::default();
    let mut text = PlainText::with_capacity(body.len());
    let mut ids = HeadingIds::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut image: Option<LinkRef> = None;
    let mut quiz: Option<FencedText> = None;
    let mut counts = Counts::default();
    let mut unknown_languages: Vec<String> = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some(problem) = counts.add(&event) {
            outline.problems.push(TextProblem { offset: range.start, ..problem });
            break;
        }
        text.add(&event);
        if let Some(block) = &mut quiz {
            match event {
                Event::Text(text) => block.push(&text, range.start),
                Event::End(TagEnd::CodeBlock) => {
                    let block = quiz.take().unwrap();
                    if let Err(problems) = quiz::parse(&block.text) {
                        outline.problems.extend(problems.into_iter().map(|p| TextProblem {
                            offset: block.body_offset(p.span.start),
                            severity: Severity::Error,
                            code: "bad-quiz",
                            message: p.message,
                            hint: p.hint.unwrap_or_else(|| quiz::FORMAT_HINT.to_string()),
                        }));
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_quiz(&info) => {
                quiz = Some(FencedText { start: range.start, text: String::new(), pieces: Vec::new() });
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let lang = info.split_whitespace().next().unwrap_or("").to_string();
                if !highlight::knows(&lang) && !unknown_languages.contains(&lang) {
                    outline.problems.push(unknown_language(&lang, range.start));
                    unknown_languages.push(lang);
                }
            }
            Event::Start(Tag::Heading { level, id, attrs, .. }) => {
                if level == HeadingLevel::H1 {
                    outline.problems.push(TextProblem {
                        offset: range.start,
                        severity: Severity::Warning,
                        code: "body-h1",
                        message: "a level-1 heading in the text: the page's title is its only h1".to_string(),
                        hint: "start the lesson's sections at `##` (the title comes from `title` in the front matter)"
                            .to_string(),
                    });
                }
                if !attrs.is_empty() {
                    let names = dropped_attributes(&attrs);
                    outline.problems.push(TextProblem {
                        offset: range.start,
                        severity: Severity::Warning,
                        code: "heading-attribute",
                        message: format!(
                            "heading attribute{} {} left out: a heading keeps only its id and classes",
                            if names.len() == 1 { "" } else { "s" },
                            names.join(", ")
                        ),
                        hint: "write `{#id}` or `{.class}` after the heading text, and nothing else".to_string(),
                    });
                }
                heading = Some((level_number(level), id.map(|i| i.to_string()), String::new()));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => outline.footnotes.push(label.to_string()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, text)) = heading.take() {
                    let id = ids.next(explicit.as_deref(), &text);
                    outline.headings.push(Heading { level, text, id });
                }
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) if link_type != LinkType::Email => {
                outline.links.push(LinkRef { dest: dest_url.to_string(), range, is_image: false, alt: String::new() });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some(LinkRef { dest: dest_url.to_string(), range, is_image: true, alt: String::new() });
            }
            Event::End(TagEnd::Image) => {
                if let Some(image) = image.take() {
                    outline.links.push(image);
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(at) = text.find("{{#") {
                    let directive: String = text[at..].chars().take_while(|c| *c != '}').collect();
                    outline.problems.push(TextProblem {
                        offset: range.start,
                        severity: Severity::Warning,
                        code: "directive",
                        message: format!("`{directive}}}}}` is shown as text: hoclieu has no such directive"),
                        hint: "paste what it includes into the lesson (or a code block), or import the book with `hoclieu import mdbook`"
                            .to_string(),
                    });
                }
                if let Some((_, _, heading_text)) = &mut heading {
                    heading_text.push_str(&text);
                }
                if let Some(image) = &mut image {
                    image.alt.push_str(&text);
                }
            }
            _ => {}
        }
    }
    outline.text = text.0.into();
    outline.footnotes.sort_unstable();
    outline.footnotes.dedup();
    outline
}

/// A fence language the highlighter does not know: its code is shown plain.
fn unknown_language(lang: &str, offset: usize) -> TextProblem {
    let known = highlight::known();
    TextProblem {
        offset,
        severity: Severity::Warning,
        code: "unknown-language",
        message: format!("code in \"{lang}\" is shown without highlighting: the highlighter does not know it"),
        hint: format!("use one of {} (or `text`)", known.join(", ")),
    }
}

/// What [`outline`] counts against the [`limits`] as it reads.
#[derive(Default)]
struct Counts {
    /// Markdown elements open now.
    depth: usize,
    raw_html: limits::RawHtml,
    headings: usize,
    cells: usize,
}

impl Counts {
    /// Counts one event; the problem when it crosses a limit (its offset is left at 0).
    fn add(&mut self, event: &Event) -> Option<TextProblem> {
        let too_many = |code: &'static str, message: String, hint: &str| {
            Some(TextProblem { offset: 0, severity: Severity::Error, code, message, hint: hint.to_string() })
        };
        let deepest = match event {
            Event::Start(tag) => {
                self.depth += 1;
                match tag {
                    Tag::Heading { .. } => self.headings += 1,
                    Tag::TableCell => self.cells += 1,
                    _ => {}
                }
                self.depth + self.raw_html.depth()
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                0
            }
            Event::Html(html) | Event::InlineHtml(html) => self.depth + self.raw_html.read(html),
            _ => 0,
        };
        if deepest > limits::MAX_NESTING {
            return too_many(
                "too-deep",
                format!("text nested more than {} levels deep (lists, quotes, emphasis and HTML elements inside each other)", limits::MAX_NESTING),
                "close the HTML elements you open (`<div>` … `</div>`) and nest lists and quotes less deeply",
            );
        }
        if self.raw_html.tags > limits::MAX_RAW_HTML_TAGS {
            return too_many(
                "too-large",
                format!("more than {} raw HTML tags on one page", limits::MAX_RAW_HTML_TAGS),
                "write the page in Markdown (tables as | a | b |), or split it into several lessons",
            );
        }
        if self.headings > limits::MAX_HEADINGS {
            return too_many(
                "too-large",
                format!("more than {} headings on one page", limits::MAX_HEADINGS),
                "split the page into several lessons",
            );
        }
        if self.cells > limits::MAX_TABLE_CELLS {
            return too_many(
                "too-large",
                format!("more than {} table cells on one page", limits::MAX_TABLE_CELLS),
                "split the table, or put the data in a file next to the lesson (a .csv or .pdf) and link to it",
            );
        }
        None
    }
}

/// The readable text of a body as [`outline`] reads it.
struct PlainText(String, bool);

impl PlainText {
    fn with_capacity(capacity: usize) -> PlainText {
        PlainText(String::with_capacity(capacity), false)
    }

    fn add(&mut self, event: &Event) {
        let PlainText(text, in_code) = self;
        match event {
            Event::Start(Tag::CodeBlock(_)) => *in_code = true,
            Event::End(TagEnd::CodeBlock) => *in_code = false,
            Event::Text(t) | Event::Code(t) if !*in_code => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) if !text.ends_with('\n') => text.push('\n'),
            _ => {}
        }
    }
}

fn is_quiz(info: &str) -> bool {
    info.split_whitespace().next() == Some("quiz")
}

/// The text of a fenced block with where each piece of it sits in the body, so a position
/// in the text becomes a position in the file (pieces are lines when the block is indented
/// or quoted).
struct FencedText {
    /// Offset of the opening fence, for problems in an empty block.
    start: usize,
    text: String,
    /// (offset in `text`, offset in the body) of each piece.
    pieces: Vec<(usize, usize)>,
}

impl FencedText {
    fn push(&mut self, piece: &str, body_offset: usize) {
        self.pieces.push((self.text.len(), body_offset));
        self.text.push_str(piece);
    }

    fn body_offset(&self, text_offset: usize) -> usize {
        match self.pieces.iter().rev().find(|(at, _)| *at <= text_offset) {
            Some((at, body)) => body + (text_offset - at),
            None => self.start,
        }
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
    /// part of the site): the link becomes its text and a "not in this pack" note.
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

/// What [`render`] makes of a Markdown body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html {
    pub html: String,
    /// The files the body loads or links to, by the relative URL it writes (images shown,
    /// files linked, and what its raw HTML names).
    pub loads: Vec<(String, loads::LoadKind)>,
    /// What its raw HTML would load from another host.
    pub foreign: Vec<String>,
    /// The answer key of each well-formed quiz, in order ([`quiz::answer_key`]).
    pub answers: Vec<String>,
}

/// Renders a Markdown body to HTML.
pub fn to_html(body: &str, resolver: &dyn Resolve, options: &HtmlOptions) -> String {
    render(body, resolver, options).html
}

/// Renders a Markdown body to HTML, with what the HTML loads and its quizzes' answers.
pub fn render(body: &str, resolver: &dyn Resolve, options: &HtmlOptions) -> Html {
    // An author's own slot character must not pull a block in (same length in UTF-8).
    let body: std::borrow::Cow<str> =
        if body.contains(SLOT) { body.replace(SLOT, "\u{FFFD}").into() } else { body.into() };
    let mut renderer = Renderer::new(resolver, Strings(options.strings));
    for event in Parser::new_ext(&body, self::options()) {
        renderer.event(event);
    }
    renderer.finish(body.len(), options.unsafe_html)
}

/// The state of one [`render`]: the events to write, and what is open.
struct Renderer<'a, 'r> {
    resolver: &'r dyn Resolve,
    strings: Strings<'r>,
    ids: HeadingIds,
    events: Vec<Event<'a>>,
    has_raw_html: bool,
    /// (index of the heading's Start event in `events`, explicit id, text so far)
    heading: Option<(usize, Option<String>, String)>,
    /// (target, title, alt); no target: an image of an unsafe scheme, written as its alt text
    image: Option<(Option<Resolved>, String, String)>,
    /// (language, text) of the code block being read
    code: Option<(String, String)>,
    /// Quizzes and callouts, see [`slot`].
    blocks: Vec<String>,
    quizzes: usize,
    /// What the end of each open link writes (links do not nest, images in links do).
    link_ends: Vec<LinkEnd>,
    /// An image inside a link is not made a link to itself.
    links_open: usize,
    /// The first image of a page is not lazy.
    images_written: usize,
    /// `#goc` on the image being read: a link to the full-size file under it.
    show_original: bool,
    out: Html,
}

impl<'a, 'r> Renderer<'a, 'r> {
    fn new(resolver: &'r dyn Resolve, strings: Strings<'r>) -> Self {
        Renderer {
            resolver,
            strings,
            ids: HeadingIds::default(),
            events: Vec::new(),
            has_raw_html: false,
            heading: None,
            image: None,
            code: None,
            blocks: Vec::new(),
            quizzes: 0,
            link_ends: Vec::new(),
            links_open: 0,
            images_written: 0,
            show_original: false,
            out: Html::default(),
        }
    }

    fn event(&mut self, event: Event<'a>) {
        match &event {
            Event::Start(Tag::Link { .. }) => self.links_open += 1,
            Event::End(TagEnd::Link) => self.links_open = self.links_open.saturating_sub(1),
            _ => {}
        }
        if self.image.is_some() {
            return self.in_image(event);
        }
        if self.code.is_some() {
            return self.in_code(event);
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs: _ }) => {
                // only the id and classes: `outline` warned about the rest
                self.heading = Some((self.events.len(), id.map(|i| i.to_string()), String::new()));
                self.events.push(Event::Start(Tag::Heading { level, id: None, classes, attrs: Vec::new() }));
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Text(ref t) | Event::Code(ref t) => {
                if let Some((_, _, text)) = &mut self.heading {
                    text.push_str(t);
                }
                self.events.push(event);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                self.start_link(link_type, dest_url, title, id)
            }
            Event::End(TagEnd::Link) => self.end_link(),
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let target = url::is_safe(&dest_url).then(|| {
                    let unresolved = || Resolved { url: dest_url.to_string(), file: None, size: None, picture: None };
                    self.resolver.resolve(&dest_url).unwrap_or_else(unresolved)
                });
                self.show_original = dest_url.ends_with(ORIGINAL_FRAGMENT);
                self.image = Some((target, title.to_string(), String::new()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let html = callout::open(kind, &self.strings);
                self.push_slot(html);
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => self.push_slot(callout::CLOSE.to_string()),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                self.has_raw_html = true;
                self.events.push(event);
            }
            other => self.events.push(other),
        }
    }

    fn push_slot(&mut self, html: String) {
        let event = slot(&mut self.blocks, html);
        self.events.push(event);
    }

    /// Inside an image: its alt text, until its end writes it.
    fn in_image(&mut self, event: Event<'a>) {
        match event {
            Event::End(TagEnd::Image) => match self.image.take().expect("in an image") {
                (Some(target), title, alt) => {
                    let html = self.image(&target, &title, &alt);
                    // a diagram's labels shrink with it on a phone: a tap opens it full size
                    let zoom = self.links_open == 0 && target.file.as_ref().is_some_and(|f| has_extension(f, "svg"));
                    let html = if zoom {
                        format!("<a class=\"zoom\" href=\"{}\">{html}</a>", escape(&target.url))
                    } else {
                        html
                    };
                    self.events.push(Event::Html(html.into()));
                }
                (None, _, alt) => self.events.push(Event::Text(alt.into())),
            },
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, alt)) = &mut self.image {
                    alt.push_str(&t);
                }
            }
            _ => {}
        }
    }

    /// Inside a code block: its text, until its end writes it highlighted (or as a quiz).
    fn in_code(&mut self, event: Event<'a>) {
        match event {
            Event::Text(t) => {
                if let Some((_, text)) = &mut self.code {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, text) = self.code.take().expect("in a code block");
                // A malformed quiz was reported when the site was linked; show its text.
                match (lang == "quiz").then(|| quiz::parse(&text).ok()).flatten() {
                    Some(parsed) => {
                        self.out.answers.push(quiz::answer_key(&parsed));
                        self.quizzes += 1;
                        let id = format!("quiz_{}", self.quizzes);
                        let html = quiz::render(&parsed, &id, &self.strings);
                        self.push_slot(html);
                    }
                    None => self.events.push(Event::Html(highlight::code_block(&lang, &text).into())),
                }
            }
            _ => {}
        }
    }

    /// An image's HTML: with its variants when it has them (the phone's in the page's
    /// loads), and the "Xem ảnh gốc" link when the author asked for it.
    fn image(&mut self, target: &Resolved, title: &str, alt: &str) -> String {
        let lazy = self.images_written > 0;
        self.images_written += 1;
        match &target.picture {
            Some(picture) => {
                let phone = &picture.sources[..picture.phone.clamp(1, picture.sources.len())];
                self.out.loads.extend(phone.iter().map(|(u, _, _)| (u.clone(), loads::LoadKind::Image)));
                let mut html = picture_html(picture, title, alt, lazy);
                if self.show_original && picture.originals && self.links_open == 0 {
                    self.out.loads.push((target.url.clone(), loads::LoadKind::Original));
                    html.push_str(&format!(
                        " <a class=\"image-original\" href=\"{}\">{} ({}×{})</a>",
                        escape(&target.url),
                        escape(self.strings.get("image_original")),
                        picture.width,
                        picture.height
                    ));
                }
                html
            }
            None => {
                if url::scheme(&target.url).is_none() {
                    self.out.loads.push((target.url.clone(), loads::LoadKind::Image));
                }
                image_html(target, title, alt, lazy)
            }
        }
    }

    fn end_heading(&mut self, level: HeadingLevel) {
        if let Some((start, explicit, text)) = self.heading.take() {
            let id = self.ids.next(explicit.as_deref(), &text);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut self.events[start] {
                *slot = Some(CowStr::from(id));
            }
        }
        self.events.push(Event::End(TagEnd::Heading(level)));
    }

    fn start_link(&mut self, link_type: LinkType, dest_url: CowStr<'a>, title: CowStr<'a>, id: CowStr<'a>) {
        // `javascript:`, `data:`…: the link's text only (linking warned)
        if !url::is_safe(&dest_url) {
            return self.link_ends.push(LinkEnd::Text);
        }
        if is_authored(link_type) && self.resolver.left_out(&dest_url) {
            return self.link_ends.push(LinkEnd::LeftOut);
        }
        let dest_url = match is_authored(link_type).then(|| self.resolver.resolve(&dest_url)).flatten() {
            Some(resolved) => {
                if resolved.file.is_some() {
                    self.out.loads.push((resolved.url.clone(), loads::LoadKind::Linked));
                }
                CowStr::from(resolved.url)
            }
            None => dest_url,
        };
        self.link_ends.push(LinkEnd::Link);
        self.events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
    }

    fn end_link(&mut self) {
        match self.link_ends.pop() {
            Some(LinkEnd::Link) | None => self.events.push(Event::End(TagEnd::Link)),
            Some(LinkEnd::Text) => {}
            Some(LinkEnd::LeftOut) => {
                let note = escape(self.strings.get("not_in_pack"));
                // an inline slot, so the sanitiser of raw HTML leaves the class alone
                self.blocks.push(format!("<small class=\"not-in-pack\">{note}</small>"));
                self.events.push(Event::InlineHtml(format!(" {SLOT}{}{SLOT}", self.blocks.len() - 1).into()));
            }
        }
    }

    /// Writes the HTML, sanitises what authors wrote as raw HTML, and puts the renderer's
    /// blocks in their slots.
    fn finish(mut self, body_len: usize, unsafe_html: bool) -> Html {
        let mut html = String::with_capacity(body_len * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, self.events.into_iter());
        let html = if self.has_raw_html && !unsafe_html { sanitize::clean(&html) } else { html };
        if self.has_raw_html {
            // raw HTML is opaque to the walk above: what is left of it names its own loads
            for (tag, attribute, url) in loads::scan(&html) {
                let kind = loads::kind(&tag, &attribute, &url);
                if loads::is_foreign(&url) {
                    if kind != loads::LoadKind::Linked {
                        self.out.foreign.push(url);
                    }
                } else if url::scheme(&url).is_none() && !self.out.loads.iter().any(|(u, _)| *u == url) {
                    self.out.loads.push((url, kind));
                }
            }
        }
        self.out.html = fill_slots(html, &self.blocks);
        self.out
    }
}

/// What the end of a link writes.
enum LinkEnd {
    /// `</a>`.
    Link,
    /// Nothing: the link is written as its text.
    Text,
    /// Nothing, then the "not in this pack" note.
    LeftOut,
}

/// Only links the author wrote as links are resolved; autolinks are already absolute.
fn is_authored(link_type: LinkType) -> bool {
    !matches!(link_type, LinkType::Autolink | LinkType::Email)
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

fn image_html(target: &Resolved, title: &str, alt: &str, lazy: bool) -> String {
    let mut html = format!("<img src=\"{}\" alt=\"{}\"", escape(&target.url), escape(alt));
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape(title)));
    }
    if let Some((width, height)) = target.size {
        html.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
    }
    html.push_str(if lazy { " loading=\"lazy\" decoding=\"async\">" } else { " decoding=\"async\">" });
    html
}

/// An image with variants: the phone's variant as `src`, every variant in `srcset`, and its
/// weight at that width in `data-bytes` (the theme's data saver reads it).
fn picture_html(picture: &Picture, title: &str, alt: &str, lazy: bool) -> String {
    let phone = &picture.sources[picture.phone.clamp(1, picture.sources.len()) - 1];
    let srcset: Vec<String> = picture.sources.iter().map(|(url, w, _)| format!("{} {w}w", escape(url))).collect();
    let mut html = format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{IMAGE_SIZES}\" width=\"{}\" height=\"{}\" alt=\"{}\"",
        escape(&phone.0),
        srcset.join(", "),
        picture.width,
        picture.height,
        escape(alt)
    );
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape(title)));
    }
    html.push_str(&format!(" data-bytes=\"{}\"", phone.2));
    html.push_str(if lazy { " loading=\"lazy\" decoding=\"async\">" } else { " decoding=\"async\">" });
    html
}

fn has_extension(path: &std::path::Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
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

/// The crate's one HTML escape, for text and quoted attribute values (templates, listings,
/// the blocks the renderer writes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
