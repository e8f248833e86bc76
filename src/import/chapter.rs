//! One mdBook chapter's Markdown (directives already expanded) made into a hoclieu body:
//! the first `#` heading taken out as the title and later headings shifted so the body
//! starts at `##`; fence info such as `rust,editable` reduced to its language; mdBook's
//! hidden lines (`# ` in Rust code) dropped; every link and image destination handed to
//! the caller to resolve. Edits are made on the source text, so everything else is kept
//! byte for byte. Reads no file.

use crate::markdown::HeadingIds;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

/// How mdBook itself reads a chapter (its `new_cmark_parser` without smart punctuation): not
/// hoclieu's own set (`markdown::options`, which adds GFM callouts), since a chapter is read
/// here as the book's author wrote it for mdBook.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// What links to a chapter need: its headings' ids.
#[derive(Debug, Default, Clone)]
pub struct Outline {
    /// An anchor as mdBook makes it (`cài-đặt`) or as hoclieu does (`cai-dat`) → the id in
    /// the imported lesson; `None` for the title (the top of the page).
    pub anchors: HashMap<String, Option<String>>,
}

struct Heading {
    range: Range<usize>,
    level: HeadingLevel,
    id: Option<String>,
    text: String,
}

fn headings(text: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut open: Option<Heading> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                open = Some(Heading { range, level, id: id.map(|i| i.to_string()), text: String::new() })
            }
            Event::End(TagEnd::Heading(_)) => out.extend(open.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = &mut open {
                    h.text.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

/// mdBook's heading id: alphanumerics, `_` and `-` kept (ASCII lowercased), spaces `-`.
fn mdbook_id(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

pub fn outline(text: &str) -> Outline {
    let all = headings(text);
    let title_index = all.iter().position(|h| h.level == HeadingLevel::H1);
    let mut outline = Outline::default();
    let mut mdbook_counts: HashMap<String, usize> = HashMap::new();
    let mut ids = HeadingIds::default();
    for (i, h) in all.iter().enumerate() {
        let mdbook = match &h.id {
            Some(id) => id.clone(),
            None => {
                let id = mdbook_id(&h.text);
                let count = mdbook_counts.entry(id.clone()).or_insert(0);
                let unique = if *count == 0 { id } else { format!("{id}-{count}") };
                *count += 1;
                unique
            }
        };
        let new = (Some(i) != title_index).then(|| ids.next(h.id.as_deref(), &h.text));
        if let Some(new) = &new {
            outline.anchors.entry(new.clone()).or_insert(Some(new.clone()));
        }
        outline.anchors.insert(mdbook, new);
    }
    outline
}

/// A link or image of the chapter, for the caller to resolve.
pub struct Link<'a> {
    pub dest: &'a str,
    pub image: bool,
    /// Offset in the text, for the report.
    pub offset: usize,
    /// For an image: its alt text is empty.
    pub no_alt: bool,
}

/// What to do with a link.
pub enum Resolved {
    Keep,
    /// A new destination (and, for an image without alt text, the alt text to give it).
    Rewrite(String, Option<String>),
    /// Write the link's text alone (an image's alt text).
    Plain,
    /// An image shown as a link to it (its alt text, or the address, as the link's text).
    ImageAsLink,
}

static HTML_REFERENCE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r#"(?i)\b(?:src|href)\s*=\s*["']([^"']+)["']"#).unwrap());

/// The converted body and its title (the first `#` heading's text, if any). Files named
/// by raw HTML (`<img src="…">`) are not rewritten: they are added to `raw_html` as
/// `(offset, file)`.
pub fn convert(
    text: &str,
    resolve: &mut dyn FnMut(Link) -> Resolved,
    raw_html: &mut Vec<(usize, String)>,
) -> (String, Option<String>) {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let all = headings(text);
    let title_index = all.iter().position(|h| h.level == HeadingLevel::H1);
    let title = title_index.map(|i| all[i].text.trim().to_string());
    let shift = all.iter().enumerate().any(|(i, h)| Some(i) != title_index && h.level == HeadingLevel::H1);
    for (i, h) in all.iter().enumerate() {
        if Some(i) == title_index {
            edits.push((h.range.clone(), String::new()));
        } else if shift && h.level != HeadingLevel::H6 {
            shift_heading(text, h, &mut edits);
        }
    }
    let parser = Parser::new_ext(text, options()).into_offset_iter();
    let mut events = Vec::new();
    let mut parser = parser;
    for (event, range) in parser.by_ref() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => code_block(text, range, &info, &mut edits),
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                events.push((false, link_type, dest_url.to_string(), range))
            }
            Event::Start(Tag::Image { link_type, dest_url, .. }) => {
                events.push((true, link_type, dest_url.to_string(), range))
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for caps in HTML_REFERENCE.captures_iter(&html) {
                    let value = &caps[1];
                    let lower = value.to_ascii_lowercase();
                    if !["http:", "https:", "mailto:", "tel:", "#", "//"].iter().any(|s| lower.starts_with(s)) {
                        raw_html.push((range.start, value.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    let definitions: Vec<(String, Range<usize>)> =
        parser.reference_definitions().iter().map(|(_, def)| (def.dest.to_string(), def.span.clone())).collect();
    for (image, link_type, dest, range) in events {
        let source = &text[range.clone()];
        match link_type {
            LinkType::Inline => {
                let Some(close) = source.rfind("](") else { continue };
                let open = if image { 2 } else { 1 };
                let label = &source[open.min(close)..close];
                let dest_range = dest_span(source, close + 2);
                let link = Link { dest: &dest, image, offset: range.start, no_alt: image && label.trim().is_empty() };
                match resolve(link) {
                    Resolved::Keep => {}
                    Resolved::Rewrite(new, alt) => {
                        if let Some(alt) = alt {
                            edits.push((range.start + open..range.start + close, alt));
                        }
                        let start = range.start + dest_range.start;
                        edits.push((start..range.start + dest_range.end, new));
                    }
                    Resolved::Plain => edits.push((range.clone(), label.to_string())),
                    Resolved::ImageAsLink => {
                        let text = if label.trim().is_empty() { dest.clone() } else { label.to_string() };
                        edits.push((range.start..range.start + close, format!("[{text}")));
                    }
                }
            }
            LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                let Some((_, span)) = definitions.iter().find(|(d, _)| *d == dest) else { continue };
                let def = &text[span.clone()];
                let Some(colon) = def.find("]:") else { continue };
                let dest_range = dest_span(def, colon + 2);
                let link = Link { dest: &dest, image, offset: range.start, no_alt: false };
                match resolve(link) {
                    Resolved::Rewrite(new, _) => {
                        edits.push((span.start + dest_range.start..span.start + dest_range.end, new))
                    }
                    // the definition goes: the reference is then written as text
                    Resolved::Plain => edits.push((span.clone(), String::new())),
                    Resolved::Keep | Resolved::ImageAsLink => {}
                }
            }
            _ => {}
        }
    }
    (apply(text, edits), title)
}

/// Where a link destination is in `source`, from `from` (after `](` or `]:`).
fn dest_span(source: &str, from: usize) -> Range<usize> {
    let rest = &source[from..];
    let skipped = rest.len() - rest.trim_start().len();
    let start = from + skipped;
    let rest = &source[start..];
    if rest.starts_with('<') {
        let end = rest.find('>').map_or(rest.len(), |i| i + 1);
        return start..start + end;
    }
    let mut depth = 0i32;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = i;
                break;
            }
            ')' => depth -= 1,
            c if c.is_whitespace() => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    start..start + end
}

fn shift_heading(text: &str, h: &Heading, edits: &mut Vec<(Range<usize>, String)>) {
    let source = &text[h.range.clone()];
    if let Some(hash) = source.find('#').filter(|&i| source[..i].trim().is_empty()) {
        edits.push((h.range.start + hash..h.range.start + hash, "#".to_string()));
        return;
    }
    // Setext: `===` (h1) becomes `---` (h2); an h2 becomes an ATX heading one deeper.
    let body = source.trim_end();
    let Some(newline) = body.rfind('\n') else { return };
    let underline = h.range.start + newline + 1..h.range.start + body.len();
    if h.level == HeadingLevel::H1 {
        edits.push((underline.clone(), "-".repeat(underline.len())));
    } else {
        let level = "#".repeat(heading_number(h.level) + 1);
        edits.push((h.range.start..h.range.start, format!("{level} ")));
        edits.push((h.range.start + newline..underline.end, String::new()));
    }
}

fn heading_number(level: HeadingLevel) -> usize {
    level as usize
}

/// Attributes mdBook reads in a Rust block's info string; alone, they mean Rust.
const RUST_ATTRIBUTES: &[&str] =
    &["ignore", "editable", "noplayground", "noplaypen", "should_panic", "no_run", "compile_fail", "mdbook-runnable"];

/// The language of a fence's info string: its first word (`rust,editable` → `rust`).
pub fn language(info: &str) -> String {
    let first = info.split([',', ' ', '\t', '{']).next().unwrap_or_default().trim();
    if RUST_ATTRIBUTES.contains(&first) || first.starts_with("edition") {
        "rust".to_string()
    } else {
        first.to_string()
    }
}

fn code_block(text: &str, range: Range<usize>, info: &str, edits: &mut Vec<(Range<usize>, String)>) {
    let source = &text[range.clone()];
    let first_end = source.find('\n').unwrap_or(source.len());
    let first = &source[..first_end];
    let indent = first.len() - first.trim_start().len();
    let fence_char = first[indent..].chars().next().unwrap_or('`');
    let fence_len = first[indent..].chars().take_while(|&c| c == fence_char).count();
    let info_start = indent + fence_len;
    let lang = language(info);
    if first[info_start..].trim() != lang {
        edits.push((range.start + info_start..range.start + first_end, lang.clone()));
    }
    if lang != "rust" {
        return;
    }
    let mut offset = first_end + 1;
    while offset < source.len() {
        let end = source[offset..].find('\n').map_or(source.len(), |i| offset + i + 1);
        let line = &source[offset..end];
        let trimmed = line.trim();
        let is_closing = trimmed.len() >= fence_len && trimmed.chars().all(|c| c == fence_char);
        if is_closing {
            break;
        }
        let start_trimmed = line.trim_start();
        if start_trimmed.starts_with("##") {
            let hash = offset + (line.len() - start_trimmed.len());
            edits.push((range.start + hash..range.start + hash + 1, String::new()));
        } else if start_trimmed.starts_with("# ") || start_trimmed.trim_end() == "#" {
            edits.push((range.start + offset..range.start + end, String::new()));
        }
        offset = end;
    }
}

/// Applies non-overlapping edits (an edit overlapping an earlier one is dropped: the
/// earlier covers it).
fn apply(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    let trimmed = out.trim_start_matches(['\n', '\r']);
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(_: Link) -> Resolved {
        Resolved::Keep
    }

    #[test]
    fn title_out_headings_shifted_fences_reduced_hidden_lines_dropped() {
        let text = "# Chương một\n\nMở đầu.\n\n# Phần lớn\n\n## Nhỏ\n\nTiêu đề setext\n==\n\n```rust,editable\n# use std::io;\n#[derive(Debug)]\n#![allow(dead_code)]\nfn main() {\n    # let an = 1;\n    #\n    let x = \"##\";\n    ##[cfg(test)]\n}\n```\n\n```sh\n# một chú thích\n```\n";
        let (body, title) = convert(text, &mut keep, &mut Vec::new());
        assert_eq!(title.as_deref(), Some("Chương một"));
        assert_eq!(
            body,
            "Mở đầu.\n\n## Phần lớn\n\n### Nhỏ\n\nTiêu đề setext\n--\n\n```rust\n#[derive(Debug)]\n#![allow(dead_code)]\nfn main() {\n    let x = \"##\";\n    #[cfg(test)]\n}\n```\n\n```sh\n# một chú thích\n```\n"
        );
    }

    #[test]
    fn body_that_starts_at_h2_is_not_shifted() {
        let mut raw = Vec::new();
        let text = "Không tiêu đề.\n\n## Mục\n\n<img src=\"a.png\" alt=\"A\"> <a href=\"https://x.vn\">x</a>\n";
        let (body, title) = convert(text, &mut keep, &mut raw);
        assert_eq!((body.as_str(), title), (text, None));
        assert_eq!(raw, [(text.find("<img").unwrap(), "a.png".to_string())]);
    }

    #[test]
    fn links_rewritten_made_plain_or_images_made_links() {
        let text = "# T\n\n[A](a.md#x) [B](khong.md) ![](anh.png) ![Ảnh xa](https://x.vn/a.png) [C][c]\n\n[c]: a.md\n";
        let mut raw = Vec::new();
        let (body, _) = convert(
            text,
            &mut |link: Link| match link.dest {
                "a.md#x" => Resolved::Rewrite("../a.md#y".into(), None),
                "a.md" => Resolved::Rewrite("../a.md".into(), None),
                "khong.md" => Resolved::Plain,
                "anh.png" => Resolved::Rewrite("anh.png".into(), Some("anh".into())),
                _ => Resolved::ImageAsLink,
            },
            &mut raw,
        );
        assert_eq!(body, "[A](../a.md#y) B ![anh](anh.png) [Ảnh xa](https://x.vn/a.png) [C][c]\n\n[c]: ../a.md\n");
    }

    #[test]
    fn anchors_as_mdbook_and_hoclieu_make_them() {
        let outline = outline("# Tiêu đề\n\n## Cài đặt Zalo\n\n## Cài đặt Zalo\n\n## Khác {#rieng}\n");
        assert_eq!(outline.anchors["tiêu-đề"], None);
        assert_eq!(outline.anchors["cài-đặt-zalo"].as_deref(), Some("cai-dat-zalo"));
        assert_eq!(outline.anchors["cài-đặt-zalo-1"].as_deref(), Some("cai-dat-zalo-2"));
        assert_eq!(outline.anchors["cai-dat-zalo-2"].as_deref(), Some("cai-dat-zalo-2"));
        assert_eq!(outline.anchors["rieng"].as_deref(), Some("rieng"));
    }
}
