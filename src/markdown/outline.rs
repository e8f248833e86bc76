//! What linking needs of a Markdown body, read in one pass without writing HTML: heading
//! ids, links and images with their places, footnote labels, the readable text for search,
//! and the problems an author should hear about (malformed quizzes, dropped heading
//! attributes, limits crossed, what would be lost silently).

use super::{highlight, level_number, limits, options, quiz, Heading, HeadingIds, LinkRef, Outline, TextProblem};
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

/// A fence language the highlighter does not know: its code is shown plain.
fn unknown_language(lang: &str, offset: usize) -> TextProblem {
    let known = highlight::known();
    TextProblem {
        offset,
        severity: Severity::Warning,
        code: "unknown-language",
        message: msg!("markdown.unknown-language", lang),
        hint: msg!("markdown.unknown-language-hint", known = known.join(", ")),
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
