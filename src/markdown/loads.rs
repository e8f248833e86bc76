//! What a body of HTML loads: the resources a browser fetches to show it (`src`,
//! `srcset`, `poster`, `data`, stylesheet and icon `<link>`s, CSS `url(…)`) and the files
//! its links lead to. [`super::render`] reports the loads of what it writes itself as it
//! writes them; this scanner reads the raw HTML an author wrote, which is opaque to it,
//! and the theme's templates, which must not load anything from another host.

/// How a page uses a file it loads: stylesheets and scripts count against the first-load
/// budget; the rest loads lazily or on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoadKind {
    Stylesheet,
    Script,
    Font,
    Image,
    /// A file a link leads to (a PDF, a recording…): saved with the page for reading
    /// offline, not loaded with it.
    Linked,
    /// The full-size original an image's "Xem ảnh gốc" link leads to: written, but never
    /// saved for offline reading (see [`crate::images`]).
    Original,
}

/// The kind of load an attribute found by [`scan`] makes.
pub fn kind(tag: &str, attribute: &str, url: &str) -> LoadKind {
    match (tag, attribute) {
        ("script", _) => LoadKind::Script,
        ("link", _) if url.ends_with(".css") => LoadKind::Stylesheet,
        ("link", _) => LoadKind::Image,
        (_, "href") => LoadKind::Linked,
        _ => LoadKind::Image,
    }
}

/// `(tag, attribute, url)` of everything a page loads by itself: `src`, `srcset`, `poster`
/// and `data` attributes, `href` on `<link>`, and `url(…)` in `style` attributes (the
/// sanitiser removes an author's styles, but not with `[markdown] unsafe_html = true`).
/// `href` on other tags is reported too (attribute `"href"`): links a reader clicks are not
/// loads, but a file they lead to is saved with the page for offline reading.
pub fn scan(html: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag_text = &rest[..end];
        // most tags load nothing: skip them before any allocation
        let may_load = tag_text.contains('=')
            && (["src=", "srcset=", "poster=", "data=", "href=", "url("]
                .iter()
                .any(|a| contains_ignoring_case(tag_text, a))
                || tag_text.get(..4).is_some_and(|start| start.eq_ignore_ascii_case("link")));
        if !may_load {
            rest = &rest[end..];
            continue;
        }
        let name: String =
            tag_text.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        // `<link rel="canonical">` and `rel="alternate"` name pages; only these load something.
        let link_loads = name == "link"
            && attribute_values(tag_text, "rel").iter().any(|rel| {
                rel.split_whitespace().any(|r| {
                    matches!(
                        r.to_ascii_lowercase().as_str(),
                        "stylesheet" | "icon" | "preload" | "prefetch" | "manifest" | "modulepreload"
                    )
                })
            });
        for style in attribute_values(tag_text, "style") {
            found.extend(style_urls(&style).into_iter().map(|u| (name.clone(), "style".to_string(), u)));
        }
        for attribute in ["src", "srcset", "poster", "data", "href"] {
            if attribute == "href" && name == "link" && !link_loads {
                continue;
            }
            for value in attribute_values(tag_text, attribute) {
                let urls: Vec<String> = if attribute == "srcset" {
                    value.split(',').filter_map(|c| c.split_whitespace().next()).map(str::to_string).collect()
                } else {
                    vec![value]
                };
                found.extend(urls.into_iter().map(|u| (name.clone(), attribute.to_string(), u)));
            }
        }
        rest = &rest[end..];
    }
    found
}

/// The targets of the `url(…)`s of a style (`background:url("a.png")` → `a.png`).
fn style_urls(style: &str) -> Vec<String> {
    let lower = style.to_ascii_lowercase();
    let mut urls = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("url(") {
        let start = from + at + 4;
        let end = lower[start..].find(')').map_or(lower.len(), |e| start + e);
        urls.push(style[start..end].trim().trim_matches(['"', '\'']).to_string());
        from = end;
    }
    urls
}

/// Whether `text` contains `needle` (ASCII), ignoring ASCII case, without allocating: every
/// tag of every page is tested.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn attribute_values(tag: &str, attribute: &str) -> Vec<String> {
    let mut values = Vec::new();
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&format!("{attribute}=")) {
        let at = from + i;
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let value_start = at + attribute.len() + 1;
        from = value_start;
        if !before_ok {
            continue;
        }
        let value = &tag[value_start..];
        let parsed = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or(""),
        };
        values.push(parsed.to_string());
    }
    values
}

/// Whether a URL leads to another host.
pub fn is_foreign(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_request_to_another_host() {
        let html = r#"<img src="https://cdn.example/x.png" alt=""><video poster='//cdn.example/p.jpg'></video>
            <img srcset="a.png 1x, http://x.example/b.png 2x"><link rel="stylesheet" href="https://fonts.example/f.css"><link rel="canonical" href="https://site.example/a/">
            <td style="background:URL( 'https://x.example/bg.png' )"><p style="background:url(hinh.png)">"#;
        let foreign: Vec<String> = scan(html)
            .into_iter()
            .filter(|(tag, attribute, url)| is_foreign(url) && kind(tag, attribute, url) != LoadKind::Linked)
            .map(|(_, _, url)| url)
            .collect();
        assert_eq!(
            foreign,
            [
                "https://cdn.example/x.png",
                "//cdn.example/p.jpg",
                "http://x.example/b.png",
                "https://fonts.example/f.css",
                "https://x.example/bg.png"
            ]
        );
    }

    #[test]
    fn links_a_reader_clicks_are_linked_files_not_loads() {
        let html = r#"<a href="bai.pdf">PDF</a><link rel="canonical" href="x/"><audio src="bai.mp3"></audio><script src="a.js"></script><link rel="stylesheet" href="s.css">"#;
        let found: Vec<(LoadKind, String)> =
            scan(html).into_iter().map(|(tag, attribute, url)| (kind(&tag, &attribute, &url), url)).collect();
        assert!(found.contains(&(LoadKind::Linked, "bai.pdf".into())), "{found:?}");
        assert!(found.contains(&(LoadKind::Image, "bai.mp3".into())), "{found:?}");
        assert!(found.contains(&(LoadKind::Script, "a.js".into())), "{found:?}");
        assert!(found.contains(&(LoadKind::Stylesheet, "s.css".into())), "{found:?}");
        assert!(!found.iter().any(|(_, url)| url == "x/"), "a canonical link loads nothing: {found:?}");
    }
}
