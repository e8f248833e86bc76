//! Limits on one page's text, so that a hostile or broken file is refused at once with a
//! message instead of stalling the build: the HTML parser behind the sanitiser, and the
//! browsers that open the page, slow down with depth (every new element looks down the
//! stack of open ones), and a page of millions of table cells takes gigabytes to render.
//!
//! [`outline`](super::outline) counts while it reads the body and stops at the first limit
//! crossed; linking reports it as an error, so rendering never sees such a page.
//! [`RawHtml`] follows the tags of raw HTML across the events that carry it, the way an
//! HTML parser nests them (closely enough: implied ends such as `<li>` after `<li>` and
//! `<p>` before `<div>` are followed, so untidy but ordinary HTML is not refused); the
//! count of raw tags bounds what any input can cost that it does not follow.

/// How deep Markdown blocks and inlines (lists, quotes, emphasis) and raw HTML elements
/// may nest, together. Lessons need a handful; browsers stop nesting at 512.
pub const MAX_NESTING: usize = 100;
/// Headings on one page.
pub const MAX_HEADINGS: usize = 1_000;
/// Cells of all the tables of one page.
pub const MAX_TABLE_CELLS: usize = 10_000;
/// Start tags of raw HTML on one page.
pub const MAX_RAW_HTML_TAGS: usize = 10_000;

/// Longest tag name kept for matching: longer ones are compared by their start.
const MAX_NAME: usize = 24;
/// How far down the open elements a tag looks for the one it closes: past the nesting
/// limit the page is refused anyway, and looking further would make each tag cost as
/// much as the depth.
const WALK: usize = MAX_NESTING + 1;

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];
/// Elements whose content is text to the HTML parser, up to their end tag.
const RAW_TEXT: &[&str] =
    &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"];
/// Elements the parser closes by itself before a sibling or a parent's end.
const IMPLIED_END: &[&str] = &["dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc"];
/// Start tags that close an open `<p>` first.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "search",
    "section",
    "summary",
    "table",
    "ul",
    "xmp",
];
/// Elements that an implied end does not reach past.
const SCOPE: &[&str] = &["applet", "caption", "html", "marquee", "object", "table", "td", "template", "th"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum State {
    #[default]
    Data,
    /// After `<`.
    Open,
    /// After `</`.
    CloseOpen,
    Name {
        end: bool,
    },
    /// Inside a tag after its name; `eq` after a `=`, `quote` inside a quoted value.
    Attributes {
        end: bool,
        eq: bool,
        quote: Option<u8>,
        slash: bool,
    },
    /// After `<!`, with the `-` seen so far (`<!--` starts a comment).
    Bang(u8),
    /// `<!-- … -->`: `dashes` counts the `-` just seen.
    Comment {
        dashes: u8,
    },
    /// `<!…>` and `<?…>`.
    Bogus,
    /// Inside `<script>` and its kind, `matched` bytes of `</name` matched so far.
    RawText {
        matched: usize,
    },
}

/// Follows the nesting of raw HTML across the pieces of a body.
#[derive(Debug, Default)]
pub struct RawHtml {
    state: State,
    name: Vec<u8>,
    /// Open elements, innermost last.
    open: Vec<Vec<u8>>,
    /// How many of them are `<svg>` or `<math>`.
    foreign: usize,
    /// The element whose text we are in (`RawText`).
    raw_text: Vec<u8>,
    /// Start tags seen.
    pub tags: usize,
}

fn is_foreign(name: &[u8]) -> bool {
    name == b"svg" || name == b"math"
}

impl RawHtml {
    /// Open raw HTML elements now.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// Reads one piece of raw HTML; returns the deepest nesting reached inside it.
    pub fn read(&mut self, html: &str) -> usize {
        let mut deepest = self.open.len();
        for &b in html.as_bytes() {
            self.byte(b);
            deepest = deepest.max(self.open.len());
        }
        deepest
    }

    fn byte(&mut self, b: u8) {
        self.state = match std::mem::take(&mut self.state) {
            State::Data => match b {
                b'<' => State::Open,
                _ => State::Data,
            },
            State::Open => match b {
                b'/' => State::CloseOpen,
                b'!' => State::Bang(0),
                b'?' => State::Bogus,
                b if b.is_ascii_alphabetic() => {
                    self.name.clear();
                    self.name.push(b.to_ascii_lowercase());
                    State::Name { end: false }
                }
                b'<' => State::Open,
                _ => State::Data,
            },
            State::CloseOpen => match b {
                b if b.is_ascii_alphabetic() => {
                    self.name.clear();
                    self.name.push(b.to_ascii_lowercase());
                    State::Name { end: true }
                }
                b'>' => State::Data,
                _ => State::Bogus,
            },
            State::Name { end } => match b {
                b'>' => self.tag(end, false),
                b'/' => State::Attributes { end, eq: false, quote: None, slash: true },
                b if b.is_ascii_whitespace() => State::Attributes { end, eq: false, quote: None, slash: false },
                b => {
                    if self.name.len() < MAX_NAME {
                        self.name.push(b.to_ascii_lowercase());
                    }
                    State::Name { end }
                }
            },
            State::Attributes { end, eq, quote: Some(q), .. } => {
                State::Attributes { end, eq, quote: (b != q).then_some(q), slash: false }
            }
            State::Attributes { end, eq, quote: None, slash } => match b {
                b'>' => self.tag(end, slash),
                b'"' | b'\'' if eq => State::Attributes { end, eq: false, quote: Some(b), slash: false },
                b'=' => State::Attributes { end, eq: true, quote: None, slash: false },
                b'/' => State::Attributes { end, eq: false, quote: None, slash: true },
                b if b.is_ascii_whitespace() => State::Attributes { end, eq, quote: None, slash: false },
                _ => State::Attributes { end, eq: false, quote: None, slash: false },
            },
            State::Bang(dashes) => match b {
                b'-' if dashes == 1 => State::Comment { dashes: 0 },
                b'-' => State::Bang(1),
                b'>' => State::Data,
                _ => State::Bogus,
            },
            State::Comment { dashes } => match b {
                b'-' => State::Comment { dashes: dashes.saturating_add(1) },
                b'>' if dashes >= 2 => State::Data,
                _ => State::Comment { dashes: 0 },
            },
            State::Bogus => match b {
                b'>' => State::Data,
                _ => State::Bogus,
            },
            State::RawText { matched } => {
                // looking for `</name`, then the tag ends as an end tag
                let want = |i: usize| match i {
                    0 => Some(b'<'),
                    1 => Some(b'/'),
                    i => self.raw_text.get(i - 2).copied(),
                };
                match want(matched) {
                    _ if matched == self.raw_text.len() + 2 && (b == b'>' || b == b'/' || b.is_ascii_whitespace()) => {
                        self.name = std::mem::take(&mut self.raw_text);
                        if b == b'>' {
                            self.tag(true, false)
                        } else {
                            State::Attributes { end: true, eq: false, quote: None, slash: false }
                        }
                    }
                    Some(w) if b.to_ascii_lowercase() == w => State::RawText { matched: matched + 1 },
                    _ if b == b'<' => State::RawText { matched: 1 },
                    _ => State::RawText { matched: 0 },
                }
            }
        };
    }

    /// A tag ended (at `>`): opens or closes elements.
    fn tag(&mut self, end: bool, self_closing: bool) -> State {
        let name = std::mem::take(&mut self.name);
        let is = |list: &[&str]| list.iter().any(|n| n.as_bytes() == name.as_slice());
        if end {
            let from = self.open.len().saturating_sub(WALK);
            if let Some(at) = self.open[from..].iter().rposition(|n| *n == name) {
                self.close(from + at);
            }
            return State::Data;
        }
        self.tags += 1;
        if is(VOID) {
            return State::Data;
        }
        // `/>` closes an element only inside SVG and MathML
        if self_closing && self.foreign > 0 {
            return State::Data;
        }
        if is(CLOSES_P) {
            self.close_implied(&["p"]);
        }
        match name.as_slice() {
            b"li" => self.close_implied(&["li"]),
            b"dd" | b"dt" => self.close_implied(&["dd", "dt"]),
            b"option" => self.close_implied(&["option"]),
            b"td" | b"th" => self.close_within(&["td", "th"], &["tr", "table"]),
            b"tr" => self.close_within(&["tr"], &["tbody", "thead", "tfoot", "table"]),
            b"tbody" | b"thead" | b"tfoot" => self.close_within(&["tbody", "thead", "tfoot"], &["table"]),
            _ => {}
        }
        if is(RAW_TEXT) {
            self.raw_text = name.clone();
            self.open.push(name);
            return State::RawText { matched: 0 };
        }
        self.foreign += usize::from(is_foreign(&name));
        self.open.push(name);
        State::Data
    }

    /// Closes the element at `at` and every one inside it.
    fn close(&mut self, at: usize) {
        self.foreign -= self.open[at..].iter().filter(|n| is_foreign(n)).count();
        self.open.truncate(at);
    }

    /// Closes the innermost of `names` when only elements with implied ends are open
    /// above it (`<li>a<p>b<li>` closes the `p` and the first `li`).
    fn close_implied(&mut self, names: &[&str]) {
        for at in (self.open.len().saturating_sub(WALK)..self.open.len()).rev() {
            let n = self.open[at].as_slice();
            if names.iter().any(|x| x.as_bytes() == n) {
                self.close(at);
                return;
            }
            if !IMPLIED_END.iter().any(|x| x.as_bytes() == n) || SCOPE.iter().any(|x| x.as_bytes() == n) {
                return;
            }
        }
    }

    /// Closes the innermost of `names` above the innermost of `within` (table parts).
    fn close_within(&mut self, names: &[&str], within: &[&str]) {
        for at in (self.open.len().saturating_sub(WALK)..self.open.len()).rev() {
            let n = self.open[at].as_slice();
            if names.iter().any(|x| x.as_bytes() == n) {
                self.close(at);
                return;
            }
            if within.iter().any(|x| x.as_bytes() == n) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deepest(pieces: &[&str]) -> (usize, usize) {
        let mut html = RawHtml::default();
        let deepest = pieces.iter().map(|p| html.read(p)).max().unwrap_or(0);
        (deepest, html.depth())
    }

    #[test]
    fn nesting_follows_the_html_parser() {
        let cases: &[(&[&str], (usize, usize))] = &[
            (&["<div><div><span>x</span></div></div>"], (3, 0)),
            (&["<div>\n", "<p>a\n", "</div>\n"], (2, 0)),
            // void elements and self-closing SVG children do not nest
            (&["<p>a<br>b<img src=x><hr></p>"], (1, 0)),
            (&["<svg><path d='M0'/><path/><g><circle/></g></svg>"], (2, 0)),
            // untidy but ordinary: implied ends
            (&["<ul><li>a<li>b<li>c</ul>"], (2, 0)),
            (&["<ul><li>a<p>b<li>c<p>d</ul>"], (3, 0)),
            (&["<p>a<p>b<p>c"], (1, 1)),
            (&["<p>a<div>b</div>"], (1, 0)),
            (&["<dl><dt>a<dd>b<dt>c<dd>d</dl>"], (2, 0)),
            (&["<table><tr><td>a<td>b<tr><td>c</table>"], (3, 0)),
            // what is not a tag
            (&["a < b and c<d"], (0, 0)),
            (&["<!-- <div><div> --><span>x</span>"], (1, 0)),
            (&["<!DOCTYPE html><b>x</b>"], (1, 0)),
            (&["<div title=\"<div>\" data-x='>'>x</div>"], (1, 0)),
            // the text of a script is not markup, up to its end tag
            (&["<script>if (a<b) { x('<div>') }</script><i>x</i>"], (1, 0)),
            (&["<div><script>", "</div><div>", "</SCRIPT ><div>"], (2, 2)),
        ];
        for (pieces, want) in cases {
            assert_eq!(deepest(pieces), *want, "{pieces:?}");
        }
    }

    #[test]
    fn deep_nesting_is_seen_in_one_pass() {
        let html = "<div>".repeat(100_000);
        let mut raw = RawHtml::default();
        assert_eq!(raw.read(&html), 100_000);
        assert_eq!(raw.tags, 100_000);
        assert_eq!(deepest(&["<div/>"; 3]).0, 3, "`/>` does not close an HTML element");
        // end tags and table cells that close nothing look only a little way down
        let mut raw = RawHtml::default();
        raw.read(&"<div>".repeat(100_000));
        assert_eq!(raw.read(&"</span><td>".repeat(100_000)), 100_001, "each cell closes the one before");
    }
}
