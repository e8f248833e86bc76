//! What linking needs of a Markdown body, read in one pass without writing HTML: heading
//! ids, links and images with their places, footnote labels, the readable text for search,
//! and the problems an author should hear about (malformed quizzes, dropped heading
//! attributes, limits crossed, what would be lost silently).

use super::sanitize::{self, Verdict};
use super::{
    highlight, level_number, limits, options, quiz, raw_tags, Heading, HeadingIds, LinkRef, Outline, TextProblem,
};
use crate::diag::Severity;
use crate::msg;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

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
    // the lines of an HTML block, read as one text at its end (a tag may span lines)
    let mut html_block: Option<FencedText> = None;
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
                            hint: p.hint.unwrap_or_else(quiz::format_hint),
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
                let lang = highlight::language(&info).to_string();
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
                        message: msg!("markdown.body-h1"),
                        hint: msg!("markdown.body-h1-hint"),
                    });
                }
                if !attrs.is_empty() {
                    let names = dropped_attributes(&attrs);
                    outline.problems.push(TextProblem {
                        offset: range.start,
                        severity: Severity::Warning,
                        code: "heading-attribute",
                        message: if names.len() == 1 {
                            msg!("markdown.heading-attribute", names = names.join(", "))
                        } else {
                            msg!("markdown.heading-attributes", names = names.join(", "))
                        },
                        hint: msg!("markdown.heading-attribute-hint"),
                    });
                }
                heading = Some((level_number(level), id.map(|i| i.to_string()), String::new()));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => outline.footnotes.push(label.to_string()),
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some(FencedText { start: range.start, text: String::new(), pieces: Vec::new() });
            }
            Event::Html(html) => match &mut html_block {
                Some(block) => block.push(&html, range.start),
                None => removed_html(body, &html, |at| range.start + at, &mut outline.problems),
            },
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = html_block.take() {
                    removed_html(body, &block.text, |at| block.body_offset(at), &mut outline.problems);
                }
            }
            Event::InlineHtml(html) => removed_html(body, &html, |at| range.start + at, &mut outline.problems),
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
                if let Some(at) = directive_start(&text) {
                    let directive: String = text[at..].chars().take_while(|c| *c != '}').collect();
                    outline.problems.push(TextProblem {
                        offset: range.start,
                        severity: Severity::Warning,
                        code: "directive",
                        message: msg!("markdown.directive", directive = format!("{directive}}}}}")),
                        hint: msg!("markdown.directive-hint"),
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

/// Warns about each start tag of a piece of raw HTML (`html`, whose offset `at` is
/// `body_offset(at)` in `body`) that the sanitiser would remove or change: what it removes
/// is lost silently otherwise (`Vec<T>` outside backticks shows as `Vec`).
fn removed_html(body: &str, html: &str, body_offset: impl Fn(usize) -> usize, problems: &mut Vec<TextProblem>) {
    for tag in raw_tags::start_tags(html) {
        let written = &html[tag.range.clone()];
        let verdict = sanitize::verdict(&tag.name, written);
        let offset = body_offset(tag.range.start);
        let shown = if written.chars().count() <= 40 { written.to_string() } else { format!("<{} …>", tag.name) };
        let (message, hint) = match verdict {
            Verdict::Kept => continue,
            Verdict::Removed { with_content: true } => {
                (msg!("markdown.html-removed-with-content", shown), msg!("markdown.html-removed-with-content-hint"))
            }
            Verdict::Removed { .. }
                if matches!(
                    tag.name.as_str(),
                    "iframe" | "embed" | "object" | "frame" | "frameset" | "applet" | "portal"
                ) =>
            {
                (msg!("markdown.html-removed-embed", shown), msg!("markdown.html-removed-embed-hint"))
            }
            Verdict::Removed { .. } => {
                let word = word_before(&body[..offset.min(body.len())]);
                if word.is_empty() {
                    (msg!("markdown.html-removed-tag", shown), msg!("markdown.html-removed-tag-hint", shown))
                } else {
                    (
                        msg!("markdown.html-removed-generic", shown),
                        msg!("markdown.html-removed-generic-hint", shown, word, written),
                    )
                }
            }
            Verdict::AttributesRemoved(attributes) => {
                for attribute in attributes {
                    let (reason, hint) = attribute_reason(&attribute);
                    problems.push(TextProblem {
                        offset,
                        severity: Severity::Warning,
                        code: "html-removed",
                        message: msg!("markdown.html-removed-attribute", attribute, tag = tag.name, reason),
                        hint,
                    });
                }
                continue;
            }
        };
        problems.push(TextProblem { offset, severity: Severity::Warning, code: "html-removed", message, hint });
    }
}

/// Why the sanitiser removes an attribute, and what to do instead.
fn attribute_reason(attribute: &str) -> (String, String) {
    if attribute.starts_with("on") {
        (msg!("markdown.attribute-script"), msg!("markdown.attribute-script-hint"))
    } else if attribute == "style" {
        (msg!("markdown.attribute-style"), msg!("markdown.attribute-style-hint"))
    } else if matches!(attribute, "href" | "src" | "poster" | "cite" | "action" | "formaction") {
        (msg!("markdown.attribute-address"), msg!("markdown.attribute-address-hint"))
    } else {
        (msg!("markdown.attribute-other"), msg!("markdown.attribute-other-hint"))
    }
}

/// The word right before a `<`, as in `Vec<T>` or `std::vec::Vec<T>` (empty when none).
fn word_before(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | ':'))
        .last()
        .map_or(text.len(), |(i, _)| i);
    &text[start..]
}

/// A fence language the highlighter does not know: its code is shown plain.
fn unknown_language(lang: &str, offset: usize) -> TextProblem {
    TextProblem {
        offset,
        severity: Severity::Warning,
        code: "unknown-language",
        message: msg!("markdown.unknown-language", lang),
        hint: msg!("markdown.unknown-language-hint", known = highlight::COMMON.join(", "), count = highlight::count()),
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
        let too_many = |code: &'static str, message: String, hint: String| {
            Some(TextProblem { offset: 0, severity: Severity::Error, code, message, hint })
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
                msg!("markdown.too-deep", limit = limits::MAX_NESTING),
                msg!("markdown.too-deep-hint"),
            );
        }
        if self.raw_html.tags > limits::MAX_RAW_HTML_TAGS {
            return too_many(
                "too-large",
                msg!("markdown.too-many-tags", limit = limits::MAX_RAW_HTML_TAGS),
                msg!("markdown.too-many-tags-hint"),
            );
        }
        if self.headings > limits::MAX_HEADINGS {
            return too_many(
                "too-large",
                msg!("markdown.too-many-headings", limit = limits::MAX_HEADINGS),
                msg!("markdown.too-many-headings-hint"),
            );
        }
        if self.cells > limits::MAX_TABLE_CELLS {
            return too_many(
                "too-large",
                msg!("markdown.too-many-cells", limit = limits::MAX_TABLE_CELLS),
                msg!("markdown.too-many-cells-hint"),
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

/// Where an mdBook directive (`{{#include …}}`) starts in a text: sought from each `{`
/// (a byte search; most texts have none), not with a substring search set up for every
/// text of every page.
fn directive_start(text: &str) -> Option<usize> {
    text.match_indices('{').map(|(at, _)| at).find(|&at| text[at..].starts_with("{{#"))
}

fn is_quiz(info: &str) -> bool {
    highlight::language(info) == "quiz"
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The directive is found where a substring search finds it, in texts made of the
        /// characters that matter (`{`, `#`, `}`) among others, multi-byte ones too.
        #[test]
        fn a_directive_starts_where_a_substring_search_finds_it(text in "[{#}aă ]{0,24}") {
            prop_assert_eq!(super::directive_start(&text), text.find("{{#"));
        }
    }
}
