//! Raw HTML in Markdown is sanitised with ammonia: the tags a lesson may need (figures,
//! details, audio, video, tables) pass; scripts, styles, event handlers and URLs of other
//! schemes than http, https, mailto and tel do not. Only bodies that contain raw HTML pay
//! for this: the rest of the HTML is written from escaped parts (see the module above).
//!
//! `style` passes only as pulldown-cmark writes it for the alignment of a table cell
//! (`text-align: left|center|right`, the whole page is sanitised when it has raw HTML);
//! any other style is removed, so an author's `style="background:url(https://…)"` can
//! neither load from another host nor cover the page.

use std::sync::OnceLock;

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags([
            "figure",
            "figcaption",
            "details",
            "summary",
            "audio",
            "video",
            "source",
            "track",
            "picture",
            "mark",
            "input",
            "section",
        ])
        .add_generic_attributes(["id", "class", "lang", "dir", "title"])
        .add_tag_attributes("img", ["width", "height", "loading", "decoding"])
        .add_tag_attributes("audio", ["src", "controls", "preload"])
        .add_tag_attributes("video", ["src", "controls", "preload", "poster", "width", "height"])
        .add_tag_attributes("source", ["src", "type"])
        .add_tag_attributes("track", ["src", "kind", "srclang", "label", "default"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("details", ["open"])
        .add_tag_attributes("td", ["colspan", "rowspan", "style"])
        .add_tag_attributes("th", ["colspan", "rowspan", "scope", "style"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(super::url::SAFE_SCHEMES.iter().copied().collect())
        .attribute_filter(keep_attribute)
        .link_rel(None);
        b
    })
}

/// Keeps a `style` only when it is the alignment of a Markdown table cell.
fn keep_attribute<'u>(_element: &str, attribute: &str, value: &'u str) -> Option<std::borrow::Cow<'u, str>> {
    const ALIGNMENTS: [&str; 3] = ["text-align: left", "text-align: center", "text-align: right"];
    if attribute == "style" && !ALIGNMENTS.contains(&value) {
        return None;
    }
    Some(value.into())
}

pub fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

/// What the sanitiser does to one start tag an author wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Kept as written.
    Kept,
    /// The tag is removed; `with_content`: what it holds too (`<script>`, `<style>`).
    Removed { with_content: bool },
    /// The tag is kept without these attributes (lowercase, as written).
    AttributesRemoved(Vec<String>),
}

/// Asks the sanitiser itself about one start tag (`tag` is its text, `name` its lowercase
/// name): its allowed tags decide the tag, and cleaning the tag alone, inside the table it
/// needs if it is a part of one, decides its attributes (URL schemes and the `style` filter
/// included).
pub fn verdict(name: &str, tag: &str) -> Verdict {
    type Names = std::collections::HashSet<&'static str>;
    static TAGS: OnceLock<(Names, Names)> = OnceLock::new();
    let builder = builder();
    let (kept_tags, cleaned_out) = TAGS.get_or_init(|| (builder.clone_tags(), builder.clone_clean_content_tags()));
    if !kept_tags.contains(name) {
        return Verdict::Removed { with_content: cleaned_out.contains(name) };
    }
    let context = match name {
        "td" | "th" => "<table><tr>",
        "tr" | "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => "<table>",
        "col" => "<table><colgroup>",
        _ => "",
    };
    let cleaned = builder.clean(&format!("{context}{tag}")).to_string();
    let kept = super::raw_tags::start_tags(&cleaned).into_iter().find(|t| t.name == name);
    let kept = kept.map(|t| t.attributes).unwrap_or_default();
    let mut removed = Vec::new();
    for attribute in super::raw_tags::start_tags(tag).into_iter().next().map(|t| t.attributes).unwrap_or_default() {
        if !kept.contains(&attribute) && !removed.contains(&attribute) {
            removed.push(attribute);
        }
    }
    if removed.is_empty() {
        Verdict::Kept
    } else {
        Verdict::AttributesRemoved(removed)
    }
}
