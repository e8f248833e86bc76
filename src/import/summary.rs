//! mdBook's `SUMMARY.md`: prefix chapters, numbered chapters (nested lists) grouped in
//! parts (`# Part title`), suffix chapters; draft chapters (`- [Title]()`) and separators
//! (`---`). Read with pulldown-cmark; returns the tree, never reads a chapter.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use unicode_normalization::UnicodeNormalization;

/// One chapter as SUMMARY.md lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The link text (NFC).
    pub title: String,
    /// The link destination as written, relative to the book's source folder; `None` for a
    /// draft chapter (`[Title]()`).
    pub path: Option<String>,
    /// Line in SUMMARY.md (1-based).
    pub line: usize,
    pub children: Vec<Entry>,
}

/// A part: `# Title` followed by its numbered chapters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub title: String,
    pub line: usize,
    pub chapters: Vec<Entry>,
}

/// The whole book in SUMMARY order: `prefix`, `numbered` (chapters before any part), `parts`,
/// `suffix`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub prefix: Vec<Entry>,
    pub numbered: Vec<Entry>,
    pub parts: Vec<Part>,
    pub suffix: Vec<Entry>,
    /// List items without a link, as `(line, text)`: kept as draft chapters.
    pub unlinked: Vec<(usize, String)>,
}

pub fn parse(text: &str) -> Summary {
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut summary = Summary::default();
    // Open list items, innermost last; finished ones go to their parent or to the book.
    let mut open: Vec<Entry> = Vec::new();
    let mut in_link: Option<String> = None;
    let mut heading: Option<(String, usize)> = None;
    let mut paragraph_links: Option<Vec<Entry>> = None;
    let mut seen_block = false;
    let mut list_depth = 0usize;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }) if list_depth == 0 => {
                heading = Some((String::new(), line_of(range.start)));
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if list_depth == 0 => {
                let (title, line) = heading.take().unwrap_or_default();
                if seen_block {
                    summary.parts.push(Part { title: title.trim().nfc().collect(), line, chapters: Vec::new() });
                }
                seen_block = true;
            }
            Event::Start(Tag::Paragraph) if list_depth == 0 => paragraph_links = Some(Vec::new()),
            Event::End(TagEnd::Paragraph) if list_depth == 0 => {
                seen_block = true;
                let links = paragraph_links.take().unwrap_or_default();
                if summary.numbered.is_empty() && summary.parts.is_empty() {
                    summary.prefix.extend(links);
                } else {
                    summary.suffix.extend(links);
                }
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth -= 1;
                seen_block = true;
            }
            Event::Start(Tag::Item) => {
                open.push(Entry { title: String::new(), path: None, line: line_of(range.start), children: Vec::new() })
            }
            Event::End(TagEnd::Item) => {
                let mut entry = open.pop().expect("an item is open");
                if entry.path.is_none() && entry.title.is_empty() {
                    entry.title = unlinked_text(&text[range.clone()]);
                    summary.unlinked.push((entry.line, entry.title.clone()));
                }
                entry.title = entry.title.trim().nfc().collect();
                match open.last_mut() {
                    Some(parent) => parent.children.push(entry),
                    None => match summary.parts.last_mut() {
                        Some(part) => part.chapters.push(entry),
                        None => summary.numbered.push(entry),
                    },
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let line = line_of(range.start);
                if let Some(links) = &mut paragraph_links {
                    links.push(Entry { title: String::new(), path: path_of(&dest_url), line, children: Vec::new() });
                    in_link = Some(String::new());
                } else if let Some(entry) = open.last_mut() {
                    if entry.path.is_none() && entry.title.is_empty() {
                        entry.path = path_of(&dest_url);
                        entry.line = line;
                        in_link = Some(String::new());
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(title) = in_link.take() {
                    let title: String = title.trim().nfc().collect();
                    if let Some(links) = &mut paragraph_links {
                        if let Some(last) = links.last_mut() {
                            last.title = title;
                        }
                    } else if let Some(entry) = open.last_mut() {
                        entry.title = title;
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(title) = &mut in_link {
                    title.push_str(&t);
                } else if let Some((title, _)) = &mut heading {
                    title.push_str(&t);
                }
            }
            Event::Rule => seen_block = true,
            _ => {}
        }
    }
    summary
}

fn path_of(dest: &str) -> Option<String> {
    let dest = dest.trim();
    (!dest.is_empty()).then(|| dest.to_string())
}

/// The text of a list item without a link: its first line, bullets and spaces trimmed.
fn unlinked_text(source: &str) -> String {
    let first = source.lines().next().unwrap_or_default();
    first.trim_start().trim_start_matches(['-', '*', '+']).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(title: &str, path: Option<&str>, line: usize, children: Vec<Entry>) -> Entry {
        Entry { title: title.into(), path: path.map(Into::into), line, children }
    }

    #[test]
    fn prefix_parts_nested_drafts_separators_and_suffix() {
        let text = "# Mục lục\n\n[Lời nói đầu](README.md)\n\n- [Một](mot.md)\n\n# Phần A\n\n- [Hai](a/hai.md)\n    - [Hai một](a/hai-mot.md)\n    - [Nháp]()\n---\n# Phần B\n- [Ba](ba.md)\n\n---\n\n[Phụ lục](phu-luc.md)\n[Lời cảm ơn](cam-on.md)\n";
        let summary = parse(text);
        assert_eq!(summary.prefix, vec![e("Lời nói đầu", Some("README.md"), 3, vec![])]);
        assert_eq!(summary.numbered, vec![e("Một", Some("mot.md"), 5, vec![])]);
        assert_eq!(
            summary.parts,
            vec![
                Part {
                    title: "Phần A".into(),
                    line: 7,
                    chapters: vec![e(
                        "Hai",
                        Some("a/hai.md"),
                        9,
                        vec![e("Hai một", Some("a/hai-mot.md"), 10, vec![]), e("Nháp", None, 11, vec![])]
                    )]
                },
                Part { title: "Phần B".into(), line: 13, chapters: vec![e("Ba", Some("ba.md"), 14, vec![])] },
            ]
        );
        assert_eq!(
            summary.suffix,
            vec![e("Phụ lục", Some("phu-luc.md"), 18, vec![]), e("Lời cảm ơn", Some("cam-on.md"), 19, vec![])]
        );
        assert!(summary.unlinked.is_empty());
    }
}
