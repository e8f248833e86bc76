//! SVG assets are documents: opened at their own address they run their scripts in the
//! site's origin, and what they reference loads from wherever it points. Every `.svg`
//! under `content/` is read here before it is copied, and what could run or reach out is
//! taken out of it:
//!
//! - elements: `<script>`, `<foreignObject>` (HTML inside the picture), frames, objects,
//!   `<handler>`/`<listener>`, any element in the HTML, MathML or XML Events namespace,
//!   animations that set a link, an event handler or a style (`<set attributeName="href"
//!   to="javascript:…">`), and `<style>` sheets that import or load from another host;
//! - attributes: event handlers (`on…`), links (`href`, `xlink:href`, `src`, `xml:base`…)
//!   that are not to the picture itself (`#id`), a relative file or an embedded bitmap
//!   (`data:image/png`…), and any value whose `url(…)` does the same or whose style could;
//! - processing instructions (`<?xml-stylesheet …?>`).
//!
//! The rest of the file is kept byte for byte: only the removed parts are cut (a tag that
//! loses an attribute is written again from its other attributes), so a clean SVG is
//! copied as it is. An SVG that is not well-formed XML, or that declares entities (whose
//! text could hide markup from this reading), is refused. quick-xml reads it: it is
//! already built into hoclieu (syntect's plist reader uses it), streams with byte offsets,
//! and never expands entities by itself.

use crate::markdown::url;
use crate::msg;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";
const EVENTS_NS: &str = "http://www.w3.org/2001/xml-events";

/// Elements removed with everything inside them, by local name in any namespace.
const REMOVED_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "frame",
    "frameset",
    "embed",
    "object",
    "applet",
    "handler",
    "listener",
    "base",
    "meta",
    "link",
    "form",
];
/// Animation elements: removed when they animate a link, a handler or a style.
const ANIMATIONS: &[&str] = &["set", "animate", "animatetransform", "animatemotion", "animatecolor", "discard"];
/// Attributes whose value is a URL that is followed or loaded.
const URL_ATTRIBUTES: &[&str] =
    &["href", "src", "action", "formaction", "data", "poster", "background", "codebase", "dynsrc", "lowsrc", "base"];
/// Bitmaps an SVG may embed as `data:` URLs.
const EMBEDDED_IMAGES: &[&str] = &["data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp"];

/// What reading an SVG found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to remove: copy the file as it is.
    Clean,
    /// The file without what was removed, and a short name of each thing removed.
    Cleaned { svg: String, removed: Vec<String> },
    /// Not safe to copy nor to clean: why, and where in the text when known.
    Refused { reason: String, offset: Option<usize> },
}

/// Reads an SVG file's text and cleans it.
pub fn clean(text: &str) -> Verdict {
    match Cleaner::new(text).run() {
        Ok(cleaner) if cleaner.removed.is_empty() => Verdict::Clean,
        Ok(cleaner) => {
            let mut removed = cleaner.removed;
            removed.sort();
            removed.dedup();
            Verdict::Cleaned { svg: cleaner.out, removed }
        }
        Err((reason, offset)) => Verdict::Refused { reason, offset },
    }
}

struct Cleaner<'a> {
    text: &'a str,
    out: String,
    removed: Vec<String>,
    /// Depth inside an element being removed (0: not inside one).
    skipping: usize,
    /// A `<style>` element being read: where it starts in `text` and its CSS so far.
    style: Option<(usize, String)>,
}

impl<'a> Cleaner<'a> {
    fn new(text: &'a str) -> Self {
        Cleaner { text, out: String::with_capacity(text.len()), removed: Vec::new(), skipping: 0, style: None }
    }

    /// The cleaned text, or why it is refused and where.
    fn run(mut self) -> Result<Self, (String, Option<usize>)> {
        let mut reader = NsReader::from_str(self.text);
        loop {
            let start = reader.buffer_position() as usize;
            let event = reader
                .read_event()
                .map_err(|e| (msg!("svg.not-xml", error = e), Some(reader.error_position() as usize)))?;
            let end = reader.buffer_position() as usize;
            let raw = &self.text[start..end];
            if self.skipping > 0 {
                match event {
                    Event::Start(_) => self.skipping += 1,
                    Event::End(_) => self.skipping -= 1,
                    Event::Eof => break,
                    _ => {}
                }
                continue;
            }
            if let Some((_, css)) = &mut self.style {
                match event {
                    Event::Text(t) => css.push_str(&t),
                    Event::CData(t) => css.push_str(&t),
                    Event::GeneralRef(_) | Event::Comment(_) => {}
                    Event::End(_) => {
                        let (style_start, css) = self.style.take().unwrap();
                        if css_is_safe(&css) {
                            self.out.push_str(&self.text[style_start..end]);
                        } else {
                            self.removed.push("`<style>` loading from another host".to_string());
                        }
                    }
                    // a style sheet holds text only
                    _ => return Err((msg!("svg.style-elements"), Some(start))),
                }
                continue;
            }
            match event {
                Event::Eof => break,
                Event::DocType(doctype) => {
                    if doctype.contains("<!ENTITY") {
                        return Err((msg!("svg.entities"), Some(start)));
                    }
                    self.out.push_str(raw);
                }
                Event::PI(_) => self.removed.push("processing instruction `<?…?>`".to_string()),
                Event::Start(tag) | Event::Empty(tag) => {
                    let is_empty = matches!(raw.as_bytes(), [.., b'/', b'>']);
                    let (namespace, local) = reader.resolver().resolve_element(tag.name());
                    let local = local.into_inner().to_ascii_lowercase();
                    let foreign = matches!(namespace, ResolveResult::Bound(ns) if [HTML_NS, MATHML_NS, EVENTS_NS].contains(&ns.into_inner()));
                    if REMOVED_ELEMENTS.contains(&local.as_str())
                        || foreign
                        || self.is_dangerous_animation(&local, &tag)
                    {
                        self.removed.push(format!("`<{local}>`"));
                        self.skipping = usize::from(!is_empty);
                        continue;
                    }
                    let kept = self.attributes(&reader, &tag).map_err(|reason| (reason, Some(start)))?;
                    if local == "style" && !is_empty {
                        if kept.is_some() {
                            self.removed.push("`<style>`".to_string());
                            self.skipping = 1;
                        } else {
                            self.style = Some((start, String::new()));
                        }
                        continue;
                    }
                    match kept {
                        None => self.out.push_str(raw),
                        Some(attributes) => {
                            self.out.push('<');
                            self.out.push_str(tag.name().into_inner());
                            for (name, value) in attributes {
                                let quote = if value.contains('"') { '\'' } else { '"' };
                                self.out.push_str(&format!(" {name}={quote}{value}{quote}"));
                            }
                            self.out.push_str(if is_empty { "/>" } else { ">" });
                        }
                    }
                }
                _ => self.out.push_str(raw),
            }
        }
        if self.skipping > 0 || self.style.is_some() {
            return Err((msg!("svg.ends-inside"), None));
        }
        Ok(self)
    }

    /// `<set attributeName="href" …>` and its kind.
    fn is_dangerous_animation(&self, local: &str, tag: &BytesStart) -> bool {
        if !ANIMATIONS.contains(&local) {
            return false;
        }
        tag.attributes().flatten().any(|a| {
            let key = a.key.local_name().into_inner().to_ascii_lowercase();
            let Ok(value) = a.normalized_value(XmlVersion::Implicit1_0) else { return true };
            let value = value.to_ascii_lowercase();
            let target = value.rsplit(':').next().unwrap_or_default().trim().to_string();
            key == "attributename"
                && (URL_ATTRIBUTES.contains(&target.as_str()) || target.starts_with("on") || target == "style")
        })
    }

    /// The attributes to keep when some must go (as written: name and escaped value);
    /// `None` when all stay.
    fn attributes(
        &mut self,
        reader: &NsReader<&[u8]>,
        tag: &BytesStart,
    ) -> Result<Option<Vec<(String, String)>>, String> {
        let mut kept = Vec::new();
        let mut any_removed = false;
        for attribute in tag.attributes() {
            let attribute = attribute.map_err(|e| msg!("svg.not-xml", error = e))?;
            let name = attribute.key.into_inner().to_string();
            let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
            let local = local.into_inner().to_ascii_lowercase();
            let in_events = matches!(namespace, ResolveResult::Bound(ns) if ns.into_inner() == EVENTS_NS);
            // character references (`&#106;avascript:`) are read as the browser reads them
            let value = attribute.normalized_value(XmlVersion::Implicit1_0).ok();
            let safe = !in_events
                && !local.starts_with("on")
                && value.as_deref().is_some_and(|value| {
                    let is_url = URL_ATTRIBUTES.contains(&local.as_str()) || name == "xml:base";
                    (!is_url || url_is_safe(value))
                        && !matches!(url::scheme(value).as_deref(), Some("javascript" | "vbscript" | "livescript"))
                        && (local != "style" || css_is_safe(value))
                        && (!value.to_ascii_lowercase().contains("url(") || css_is_safe(value))
                });
            if safe {
                kept.push((name, attribute.value.to_string()));
            } else {
                self.removed.push(format!("`{name}=`"));
                any_removed = true;
            }
        }
        Ok(any_removed.then_some(kept))
    }
}

/// A URL an SVG may keep: to a part of itself (`#id`), a relative file, or an embedded
/// bitmap.
fn url_is_safe(value: &str) -> bool {
    let value = value.trim_matches(|c: char| c <= ' ');
    if value.starts_with('#') {
        return true;
    }
    match url::scheme(value) {
        None => !value.replace(['\t', '\n', '\r'], "").starts_with("//") && !value.contains('\\'),
        Some(scheme) if scheme == "data" => {
            let lower = value.to_ascii_lowercase();
            EMBEDDED_IMAGES.iter().any(|prefix| lower.starts_with(prefix) && !lower.starts_with("data:image/svg"))
        }
        Some(_) => false,
    }
}

/// CSS (a `<style>` sheet, a `style` attribute, a `fill="url(#g)"`) that loads nothing from
/// elsewhere and runs nothing: every `url(…)` is safe by [`url_is_safe`], and none of what
/// loads without `url(` (`@import "…"`, `image-set("…")`) or hides a name (`\` escapes) is
/// there.
fn css_is_safe(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    const NEVER: &[&str] =
        &["\\", "@import", "image-set", "image(", "cross-fade", "src(", "-moz-binding", "javascript:"];
    if NEVER.iter().any(|n| lower.contains(n)) {
        return false;
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        let target = rest[..end].trim().trim_matches(['"', '\'']);
        if !url_is_safe(target) {
            return false;
        }
        rest = &rest[end..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"10\" height=\"10\">";

    fn cleaned(body: &str) -> (String, Vec<String>) {
        let svg = format!("{HEAD}{body}</svg>");
        match clean(&svg) {
            Verdict::Cleaned { svg, removed } => (svg[HEAD.len()..svg.len() - 6].to_string(), removed),
            other => panic!("{body}: {other:?}"),
        }
    }

    /// What the cleaner writes when it removes nothing: the input itself, so the byte
    /// offsets it cuts at are the events' own.
    fn copied(svg: &str) -> String {
        Cleaner::new(svg).run().unwrap().out
    }

    #[test]
    fn clean_drawings_are_kept_byte_for_byte() {
        for svg in [
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Inkscape -->\n",
                "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ",
                "xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" viewBox='0 0 10 10'>\n",
                "<style>\ntext{font-family:sans-serif} .a { fill: url(#g) }\n</style>\n",
                "<defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#fff\"/></linearGradient></defs>\n",
                "<a href=\"../bai/index.html\"><use xlink:href=\"#c\" fill=\"url(#g)\"/></a>",
                "<image href=\"data:image/png;base64,iVBORw0KGgo=\" width=\"1\" height=\"1\"/>",
                "<text x=\"1\" style=\"font-weight:bold\">Mật khẩu &amp; &#273;ăng nhập <![CDATA[<b>]]></text>",
                "<inkscape:namedview id=\"n\"/><metadata><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/></metadata>",
                "</svg>\n"
            ),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g><path d=\"M0 0h1\"/></g></svg>",
        ] {
            assert_eq!(clean(svg), Verdict::Clean, "{svg}");
            assert_eq!(copied(svg), svg);
        }
    }

    #[test]
    fn scripts_handlers_and_foreign_content_are_removed() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("<script>alert(1)</script><g/>", "<g/>", &["`<script>`"]),
            ("<script xlink:href=\"https://x.example/a.js\"/><g/>", "<g/>", &["`<script>`"]),
            ("<svg:script xmlns:svg=\"http://www.w3.org/2000/svg\">x</svg:script>", "", &["`<script>`"]),
            ("<g onload=\"alert(1)\" id=\"a\"><rect onClick='x()'/></g>", "<g id=\"a\"><rect/></g>", &["`onClick=`", "`onload=`"]),
            (
                "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\"><img src=x onerror=alert(1)/></div></foreignObject>",
                "",
                &["`<foreignobject>`"],
            ),
            ("<h:iframe xmlns:h=\"http://www.w3.org/1999/xhtml\" src=\"javascript:alert(1)\"/>", "", &["`<iframe>`"]),
            ("<h:b xmlns:h=\"http://www.w3.org/1999/xhtml\">x</h:b><g/>", "<g/>", &["`<b>`"]),
            ("<set attributeName=\"href\" to=\"javascript:alert(1)\"/><g/>", "<g/>", &["`<set>`"]),
            ("<animate attributeName=\"xlink:href\" values=\"javascript:alert(1)\"/>", "", &["`<animate>`"]),
            ("<set attributeName=\"&#104;ref\" to=\"x\"/>", "", &["`<set>`"]),
            ("<animate attributeName=\"fill\" to=\"javascript:alert(1)\"/>", "<animate attributeName=\"fill\"/>", &["`to=`"]),
            ("<style onload=\"x()\">g{}</style>", "", &["`<style>`", "`onload=`"]),
            ("<?xml-stylesheet href=\"https://x.example/a.css\"?><g/>", "<g/>", &["processing instruction `<?…?>`"]),
            ("<animate attributeName=\"x\" from=\"0\" to=\"1\"/>", "", &[]),
        ];
        for (body, want, removed) in cases {
            if removed.is_empty() {
                assert_eq!(clean(&format!("{HEAD}{body}</svg>")), Verdict::Clean, "{body}");
                continue;
            }
            let (out, what) = cleaned(body);
            assert_eq!(out, *want, "{body}");
            assert_eq!(what, *removed, "{body}");
        }
    }

    #[test]
    fn links_and_loads_leave_only_for_the_picture_itself() {
        let cases: &[(&str, &str)] = &[
            ("<a href=\"javascript:alert(1)\"><text>x</text></a>", "<a><text>x</text></a>"),
            ("<a xlink:href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>"),
            // a character reference is not normalised away as a literal tab is
            ("<a href=\" java&#9;script:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"https://example.com/\">x</a>", "<a>x</a>"),
            ("<image href=\"//cdn.example/x.png\"/>", "<image/>"),
            ("<use href=\"data:image/svg+xml;base64,PHN2Zz4=\"/>", "<use/>"),
            ("<image href=\"data:text/html,x\"/>", "<image/>"),
            ("<rect fill=\"url(https://x.example/p.svg#g)\" width=\"1\"/>", "<rect width=\"1\"/>"),
            ("<rect style=\"fill: URL( 'http://x.example/a.png' )\"/>", "<rect/>"),
            ("<rect style=\"background:u\\72l(http://x)\"/>", "<rect/>"),
            ("<g xml:base=\"https://x.example/\"/>", "<g/>"),
            ("<a href='#a' title='say \"hi\"' onmouseover=\"x\">x</a>", "<a href=\"#a\" title='say \"hi\"'>x</a>"),
            ("<style>@import url(https://x.example/a.css);</style><g/>", "<g/>"),
            ("<style>@import 'https://x.example/a.css';</style>", ""),
            ("<style><![CDATA[ g { fill: url(https://x.example/a#b) } ]]></style>", ""),
            ("<style>g{background:image-set(\"https://x.example/a.png\" 1x)}</style>", ""),
        ];
        for (body, want) in cases {
            assert_eq!(cleaned(body).0, *want, "{body}");
        }
    }

    #[test]
    fn what_cannot_be_read_safely_is_refused() {
        for svg in [
            "<!DOCTYPE svg [<!ENTITY x \"<script>alert(1)</script>\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><style><g/></style></svg>",
        ] {
            assert!(matches!(clean(svg), Verdict::Refused { .. }), "{svg}");
        }
    }
}
