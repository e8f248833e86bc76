//! Raw HTML in Markdown is sanitised with ammonia: the tags a lesson may need (figures,
//! details, audio, video, tables) pass; scripts, styles, event handlers and `javascript:`
//! URLs do not. Only bodies that contain raw HTML pay for this.

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
        .link_rel(None);
        b
    })
}

pub fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}
