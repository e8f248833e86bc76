//! The start tags of a piece of raw HTML, with their attribute names, as an HTML parser
//! tokenises them (closely enough for warnings): comments, `<!…>`, `<?…>` and end tags are
//! skipped, and so is the text of `<script>`, `<style>` and the other raw-text elements.
//! [`outline`](super::outline) asks the sanitiser about each tag ([`super::sanitize::verdict`])
//! so that what it would remove is reported instead of lost silently.

use std::ops::Range;

/// A start tag as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTag {
    /// Where it is in the text given, from its `<` to its `>`.
    pub range: Range<usize>,
    /// Lowercase, as the HTML parser reads it.
    pub name: String,
    /// Lowercase, in order, as written (repeats included).
    pub attributes: Vec<String>,
}

/// Elements whose content is text to the HTML parser, up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"];

/// The complete start tags of `html`; a tag cut off by the end of the text is left out.
pub fn start_tags(html: &str) -> Vec<StartTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(lt) = html[at..].find('<').map(|i| at + i) {
        let rest = &html[lt..];
        at = lt + 1;
        if let Some(comment) = rest.strip_prefix("<!--") {
            match comment.find("-->") {
                Some(end) => at = lt + 4 + end + 3,
                None => break,
            }
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            match rest.find('>') {
                Some(end) => at = lt + end + 1,
                None => break,
            }
        } else if bytes.get(lt + 1).is_some_and(u8::is_ascii_alphabetic) {
            let Some(tag) = start_tag(html, lt) else { break };
            at = tag.range.end;
            if tag.name == "plaintext" {
                tags.push(tag);
                break;
            }
            if RAW_TEXT.contains(&tag.name.as_str()) {
                let close = format!("</{}", tag.name);
                match find_ignoring_case(&html[at..], &close) {
                    Some(end) => at += end,
                    None => at = html.len(),
                }
            }
            tags.push(tag);
        }
    }
    tags
}

/// The start tag whose `<` is at `lt` (followed by a letter), if it ends in `html`.
fn start_tag(html: &str, lt: usize) -> Option<StartTag> {
    let bytes = html.as_bytes();
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut i = lt + 1;
    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
        i += 1;
    }
    let name = html[lt + 1..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => return Some(StartTag { range: lt..i + 1, name, attributes }),
            _ => {
                let start = i;
                i += 1; // a first `=` belongs to the name
                while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
                    i += 1;
                }
                attributes.push(html[start..i].to_ascii_lowercase());
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                if bytes.get(i) != Some(&b'=') {
                    continue;
                }
                i += 1;
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                match bytes.get(i)? {
                    &quote @ (b'"' | b'\'') => i += 2 + html[i + 1..].find(quote as char)?,
                    _ => {
                        while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                            i += 1;
                        }
                    }
                }
            }
        }
    }
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str) -> Vec<(String, Vec<String>)> {
        start_tags(html).into_iter().map(|t| (t.name, t.attributes)).collect()
    }

    #[test]
    fn start_tags_with_their_attribute_names() {
        let html = "<A HREF=\"x>y\" onClick='f(\"a\")' data-x=1 hidden>a</a><!-- <b> --><br/><T>";
        let tags = start_tags(html);
        assert_eq!(tags[0].name, "a");
        assert_eq!(tags[0].attributes, ["href", "onclick", "data-x", "hidden"]);
        assert_eq!(&html[tags[0].range.clone()], "<A HREF=\"x>y\" onClick='f(\"a\")' data-x=1 hidden>");
        assert_eq!(names(html)[1..], [("br".to_string(), vec![]), ("t".to_string(), vec![])]);
    }

    #[test]
    fn raw_text_comments_and_cut_tags_are_skipped() {
        assert_eq!(
            names("<script>if (a<b) { x = '<i>' }</SCRIPT><p>"),
            [("script".to_string(), vec![]), ("p".to_string(), vec![])]
        );
        assert_eq!(names("<!doctype html><?php x ?></div>a < b<i"), []);
        assert_eq!(names("<div\nclass=\"x\"\n>"), [("div".to_string(), vec!["class".to_string()])]);
        assert_eq!(names("<!-- cut"), []);
    }
}
