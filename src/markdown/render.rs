//! Markdown to safe HTML: the [`Renderer`] walks pulldown-cmark's events once, resolves
//! links and images through a [`Resolve`], writes quizzes, callouts and highlighted code as
//! slots the sanitiser cannot touch, and reports what the HTML loads and its quizzes'
//! answers ([`Html`]).

use super::{callout, escape, fill_slots, highlight, loads, quiz, sanitize, slot, url};
use super::{HeadingIds, HtmlOptions, Picture, Resolve, Resolved, Strings, IMAGE_SIZES, ORIGINAL_FRAGMENT, SLOT};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

/// What [`render`] makes of a Markdown body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html {
    pub html: String,
    /// The files the body loads or links to, by the relative URL it writes (images shown,
    /// files linked, and what its raw HTML names).
    pub loads: Vec<(String, loads::LoadKind)>,
    /// What its raw HTML would load from another host.
    pub foreign: Vec<String>,
    /// The answer key of each well-formed quiz, in order ([`quiz::answer_key`]).
    pub answers: Vec<String>,
}

/// Renders a Markdown body to HTML.
pub fn to_html(body: &str, resolver: &dyn Resolve, options: &HtmlOptions) -> String {
    render(body, resolver, options).html
}

/// Renders a Markdown body to HTML, with what the HTML loads and its quizzes' answers.
pub fn render(body: &str, resolver: &dyn Resolve, options: &HtmlOptions) -> Html {
    // An author's own slot character must not pull a block in (same length in UTF-8).
    let body: std::borrow::Cow<str> =
        if body.contains(SLOT) { body.replace(SLOT, "\u{FFFD}").into() } else { body.into() };
    let mut renderer = Renderer::new(resolver, Strings(options.strings));
    for event in Parser::new_ext(&body, super::options()) {
        renderer.event(event);
    }
    renderer.finish(body.len(), options.unsafe_html)
}

/// The state of one [`render`]: the events to write, and what is open.
struct Renderer<'a, 'r> {
    resolver: &'r dyn Resolve,
    strings: Strings<'r>,
    ids: HeadingIds,
    events: Vec<Event<'a>>,
    has_raw_html: bool,
    /// (index of the heading's Start event in `events`, explicit id, text so far)
    heading: Option<(usize, Option<String>, String)>,
    /// (target, title, alt); no target: an image of an unsafe scheme, written as its alt text
    image: Option<(Option<Resolved>, String, String)>,
    /// (language, text) of the code block being read
    code: Option<(String, String)>,
    /// Quizzes and callouts, see [`slot`].
    blocks: Vec<String>,
    quizzes: usize,
    /// What the end of each open link writes (links do not nest, images in links do).
    link_ends: Vec<LinkEnd>,
    /// An image inside a link is not made a link to itself.
    links_open: usize,
    /// The first image of a page is not lazy.
    images_written: usize,
    /// `#goc` on the image being read: a link to the full-size file under it.
    show_original: bool,
    out: Html,
}

impl<'a, 'r> Renderer<'a, 'r> {
    fn new(resolver: &'r dyn Resolve, strings: Strings<'r>) -> Self {
        Renderer {
            resolver,
            strings,
            ids: HeadingIds::default(),
            events: Vec::new(),
            has_raw_html: false,
            heading: None,
            image: None,
            code: None,
            blocks: Vec::new(),
            quizzes: 0,
            link_ends: Vec::new(),
            links_open: 0,
            images_written: 0,
            show_original: false,
            out: Html::default(),
        }
    }

    fn event(&mut self, event: Event<'a>) {
        match &event {
            Event::Start(Tag::Link { .. }) => self.links_open += 1,
            Event::End(TagEnd::Link) => self.links_open = self.links_open.saturating_sub(1),
            _ => {}
        }
        if self.image.is_some() {
            return self.in_image(event);
        }
        if self.code.is_some() {
            return self.in_code(event);
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs: _ }) => {
                // only the id and classes: `outline` warned about the rest
                self.heading = Some((self.events.len(), id.map(|i| i.to_string()), String::new()));
                self.events.push(Event::Start(Tag::Heading { level, id: None, classes, attrs: Vec::new() }));
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Text(ref t) | Event::Code(ref t) => {
                if let Some((_, _, text)) = &mut self.heading {
                    text.push_str(t);
                }
                self.events.push(event);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                self.start_link(link_type, dest_url, title, id)
            }
            Event::End(TagEnd::Link) => self.end_link(),
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let target = url::is_safe(&dest_url).then(|| {
                    let unresolved = || Resolved { url: dest_url.to_string(), file: None, size: None, picture: None };
                    self.resolver.resolve(&dest_url).unwrap_or_else(unresolved)
                });
                self.show_original = dest_url.ends_with(ORIGINAL_FRAGMENT);
                self.image = Some((target, title.to_string(), String::new()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let html = callout::open(kind, &self.strings);
                self.push_slot(html);
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => self.push_slot(callout::CLOSE.to_string()),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => highlight::language(&info).to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                self.has_raw_html = true;
                self.events.push(event);
            }
            other => self.events.push(other),
        }
    }

    fn push_slot(&mut self, html: String) {
        let event = slot(&mut self.blocks, html);
        self.events.push(event);
    }

    /// Inside an image: its alt text, until its end writes it.
    fn in_image(&mut self, event: Event<'a>) {
        match event {
            Event::End(TagEnd::Image) => match self.image.take().expect("in an image") {
                (Some(target), title, alt) => {
                    let html = self.image(&target, &title, &alt);
                    // a diagram's labels shrink with it on a phone: a tap opens it full size
                    let zoom = self.links_open == 0 && target.file.as_ref().is_some_and(|f| has_extension(f, "svg"));
                    let html = if zoom {
                        format!("<a class=\"zoom\" href=\"{}\">{html}</a>", escape(&target.url))
                    } else {
                        html
                    };
                    self.events.push(Event::Html(html.into()));
                }
                (None, _, alt) => self.events.push(Event::Text(alt.into())),
            },
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, alt)) = &mut self.image {
                    alt.push_str(&t);
                }
            }
            _ => {}
        }
    }

    /// Inside a code block: its text, until its end writes it highlighted (or as a quiz).
    fn in_code(&mut self, event: Event<'a>) {
        match event {
            Event::Text(t) => {
                if let Some((_, text)) = &mut self.code {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, text) = self.code.take().expect("in a code block");
                // A malformed quiz was reported when the site was linked; show its text.
                match (lang == "quiz").then(|| quiz::parse(&text).ok()).flatten() {
                    Some(parsed) => {
                        self.out.answers.push(quiz::answer_key(&parsed));
                        self.quizzes += 1;
                        let id = format!("quiz_{}", self.quizzes);
                        let html = quiz::render(&parsed, &id, &self.strings);
                        self.push_slot(html);
                    }
                    None => self.events.push(Event::Html(highlight::code_block(&lang, &text).into())),
                }
            }
            _ => {}
        }
    }

    /// An image's HTML: with its variants when it has them (the phone's in the page's
    /// loads), and the "Xem ảnh gốc" link when the author asked for it.
    fn image(&mut self, target: &Resolved, title: &str, alt: &str) -> String {
        let lazy = self.images_written > 0;
        self.images_written += 1;
        match &target.picture {
            Some(picture) => {
                let phone = &picture.sources[..picture.phone.clamp(1, picture.sources.len())];
                self.out.loads.extend(phone.iter().map(|(u, _, _)| (u.clone(), loads::LoadKind::Image)));
                let mut html = picture_html(picture, title, alt, lazy);
                if self.show_original && picture.originals && self.links_open == 0 {
                    self.out.loads.push((target.url.clone(), loads::LoadKind::Original));
                    html.push_str(&format!(
                        " <a class=\"image-original\" href=\"{}\">{} ({}×{})</a>",
                        escape(&target.url),
                        escape(self.strings.get("image_original")),
                        picture.width,
                        picture.height
                    ));
                }
                html
            }
            None => {
                if url::scheme(&target.url).is_none() {
                    self.out.loads.push((target.url.clone(), loads::LoadKind::Image));
                }
                image_html(target, title, alt, lazy)
            }
        }
    }

    fn end_heading(&mut self, level: HeadingLevel) {
        if let Some((start, explicit, text)) = self.heading.take() {
            let id = self.ids.next(explicit.as_deref(), &text);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut self.events[start] {
                *slot = Some(CowStr::from(id));
            }
        }
        self.events.push(Event::End(TagEnd::Heading(level)));
    }

    fn start_link(&mut self, link_type: LinkType, dest_url: CowStr<'a>, title: CowStr<'a>, id: CowStr<'a>) {
        // `javascript:`, `data:`…: the link's text only (linking warned)
        if !url::is_safe(&dest_url) {
            return self.link_ends.push(LinkEnd::Text);
        }
        let dest_url = match is_authored(link_type).then(|| self.resolver.resolve(&dest_url)).flatten() {
            Some(resolved) => {
                if resolved.file.is_some() {
                    self.out.loads.push((resolved.url.clone(), loads::LoadKind::Linked));
                }
                CowStr::from(resolved.url)
            }
            // asked only of a link that does not resolve: a page left out never does
            None if is_authored(link_type) && self.resolver.left_out(&dest_url) => {
                return self.link_ends.push(LinkEnd::LeftOut);
            }
            None => dest_url,
        };
        self.link_ends.push(LinkEnd::Link);
        self.events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
    }

    fn end_link(&mut self) {
        match self.link_ends.pop() {
            Some(LinkEnd::Link) | None => self.events.push(Event::End(TagEnd::Link)),
            Some(LinkEnd::Text) => {}
            Some(LinkEnd::LeftOut) => {
                let note = escape(self.strings.get("not_in_pack"));
                // an inline slot, so the sanitiser of raw HTML leaves the class alone
                self.blocks.push(format!("<small class=\"not-in-pack\">{note}</small>"));
                self.events.push(Event::InlineHtml(format!(" {SLOT}{}{SLOT}", self.blocks.len() - 1).into()));
            }
        }
    }

    /// Writes the HTML, sanitises what authors wrote as raw HTML, and puts the renderer's
    /// blocks in their slots.
    fn finish(mut self, body_len: usize, unsafe_html: bool) -> Html {
        let mut html = String::with_capacity(body_len * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, self.events.into_iter());
        let html = if self.has_raw_html && !unsafe_html { sanitize::clean(&html) } else { html };
        if self.has_raw_html {
            // raw HTML is opaque to the walk above: what is left of it names its own loads
            for (tag, attribute, url) in loads::scan(&html) {
                let kind = loads::kind(&tag, &attribute, &url);
                if loads::is_foreign(&url) {
                    if kind != loads::LoadKind::Linked {
                        self.out.foreign.push(url);
                    }
                } else if url::scheme(&url).is_none() && !self.out.loads.iter().any(|(u, _)| *u == url) {
                    self.out.loads.push((url, kind));
                }
            }
        }
        self.out.html = fill_slots(html, &self.blocks);
        self.out
    }
}

/// What the end of a link writes.
enum LinkEnd {
    /// `</a>`.
    Link,
    /// Nothing: the link is written as its text.
    Text,
    /// Nothing, then the "not in this pack" note.
    LeftOut,
}

/// Only links the author wrote as links are resolved; autolinks are already absolute.
fn is_authored(link_type: LinkType) -> bool {
    !matches!(link_type, LinkType::Autolink | LinkType::Email)
}

fn image_html(target: &Resolved, title: &str, alt: &str, lazy: bool) -> String {
    let mut html = format!("<img src=\"{}\" alt=\"{}\"", escape(&target.url), escape(alt));
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape(title)));
    }
    if let Some((width, height)) = target.size {
        html.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
    }
    html.push_str(if lazy { " loading=\"lazy\" decoding=\"async\">" } else { " decoding=\"async\">" });
    html
}

/// An image with variants: the phone's variant as `src`, every variant in `srcset`, and its
/// weight at that width in `data-bytes` (the theme's data saver reads it).
fn picture_html(picture: &Picture, title: &str, alt: &str, lazy: bool) -> String {
    let phone = &picture.sources[picture.phone.clamp(1, picture.sources.len()) - 1];
    let srcset: Vec<String> = picture.sources.iter().map(|(url, w, _)| format!("{} {w}w", escape(url))).collect();
    let mut html = format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{IMAGE_SIZES}\" width=\"{}\" height=\"{}\" alt=\"{}\"",
        escape(&phone.0),
        srcset.join(", "),
        picture.width,
        picture.height,
        escape(alt)
    );
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape(title)));
    }
    html.push_str(&format!(" data-bytes=\"{}\"", phone.2));
    html.push_str(if lazy { " loading=\"lazy\" decoding=\"async\">" } else { " decoding=\"async\">" });
    html
}

fn has_extension(path: &std::path::Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}
