//! The theme: tera templates, the stylesheet and UI strings. The default theme is embedded
//! in the binary; a content repository may override any template or the stylesheet from
//! `themes/<name>/templates/` and `themes/<name>/static/`.

use super::view::{Load, LoadKind};
use crate::config::Config;
use crate::msg;
use crate::Error;
use sha2::{Digest, Sha256};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("home.html", include_str!("../../themes/default/templates/home.html")),
    ("course.html", include_str!("../../themes/default/templates/course.html")),
    ("lesson.html", include_str!("../../themes/default/templates/lesson.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("languages.html", include_str!("../../themes/default/templates/languages.html")),
    ("print.html", include_str!("../../themes/default/templates/print.html")),
    ("path.html", include_str!("../../themes/default/templates/path.html")),
    ("domain.html", include_str!("../../themes/default/templates/domain.html")),
    ("report.html", include_str!("../../themes/default/templates/report.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("downloads.html", include_str!("../../themes/default/templates/downloads.html")),
    ("offline.html", include_str!("../../themes/default/templates/offline.html")),
    ("pager.html", include_str!("../../themes/default/templates/pager.html")),
];
const STYLE: &str = include_str!("../../themes/default/static/style.css");
const STRINGS_VI: &str = include_str!("../../themes/default/i18n/vi.toml");
/// UI strings shipped for each language (the Vietnamese file is the reference).
const STRINGS: &[(&str, &str)] = &[
    ("vi", STRINGS_VI),
    ("blt", include_str!("../../themes/default/i18n/blt.toml")),
    ("blt-tavt", include_str!("../../themes/default/i18n/blt-tavt.toml")),
    ("hmn", include_str!("../../themes/default/i18n/hmn.toml")),
];
/// A UI string of the default theme in language `lang` (a language id such as `hmn`), for
/// pages made outside a build (`serve --static`'s "not found"); Vietnamese when the
/// language has no strings file or lacks the key.
pub fn builtin_string(lang: &str, key: &str) -> Option<String> {
    let lookup = |text: &str| {
        text.parse::<toml::Table>().ok().and_then(|t| t.get(key).and_then(|v| v.as_str()).map(str::to_string))
    };
    STRINGS.iter().find(|(id, _)| *id == lang).and_then(|(_, text)| lookup(text)).or_else(|| lookup(STRINGS_VI))
}

const SCRIPT: &str = include_str!("../../themes/default/static/site.js");
const SEARCH_SCRIPT: &str = include_str!("../../themes/default/static/search.js");
const OFFLINE_SCRIPT: &str = include_str!("../../themes/default/static/offline.js");
/// The service worker: at the output root, not fingerprinted, so that its scope is the
/// whole site and browsers find its updates under the same name.
const SERVICE_WORKER: &str = include_str!("../../themes/default/static/sw.js");
/// Where the service worker is written.
pub const SERVICE_WORKER_PATH: &str = "sw.js";
/// Noto Sans Tai Viet, subset to the Tai Viet block (see themes/default/static/fonts/README.md).
const TAI_VIET_FONT: &[u8] = include_bytes!("../../themes/default/static/fonts/noto-sans-tai-viet.woff2");
const TAI_VIET_LICENSE: &str = include_str!("../../themes/default/static/fonts/OFL.txt");
/// The picture shown when a page is shared on Zalo or Facebook (1200×630).
const SHARE_CARD: &[u8] = include_bytes!("../../themes/default/static/share-card.png");
/// The default icon (a book with a leaf, in the accent colour), as SVG and as a 32×32 PNG
/// for browsers without SVG icons; `[site] logo` replaces it.
const ICON_SVG: &[u8] = include_bytes!("../../themes/default/static/favicon.svg");
const ICON_PNG: &[u8] = include_bytes!("../../themes/default/static/favicon.png");

/// Templates, fingerprinted static files and UI strings, ready to render with.
pub struct Theme {
    pub tera: tera::Tera,
    /// Output path of the stylesheet, with its content hash (`assets/style.1a2b3c4d5e.css`).
    pub css_path: String,
    /// Output path of the script (enhancements only).
    pub js_path: String,
    /// Output path of the search script, loaded only when a search box is used.
    pub search_js_path: String,
    /// Output path of the script behind "Lưu để học offline", loaded only when it is used.
    pub offline_js_path: String,
    /// Output path of the Tai Viet web font, used only by pages in that script.
    pub tai_viet_font_path: String,
    pub share_card_path: String,
    /// Output path of `[site] logo`, fingerprinted, when there is one.
    pub logo_path: Option<String>,
    /// Output paths of the page icon: the logo, or the theme's mark.
    pub icon_svg_path: String,
    /// A PNG of the icon: the theme's, or a PNG beside the logo (`logo.png`) when given.
    pub icon_png_path: Option<String>,
    /// Every static file of the theme, by output path.
    pub files: Vec<(String, Vec<u8>)>,
    /// UI strings for each language of the config (same order): the language's file over
    /// the Vietnamese one, so a missing string shows in Vietnamese.
    pub strings: Vec<toml::Table>,
    /// Keys each language's file lacks (by language index), for `check`.
    pub missing_strings: Vec<Vec<String>>,
}

pub fn load(config: &Config) -> Result<Theme, Error> {
    let theme_dir = config.root.join("themes").join(&config.build.theme);
    // `config::load` checked the name; the folder may have gone since (the preview)
    if config.build.theme != crate::config::DEFAULT_THEME && !theme_dir.is_dir() {
        return Err(Error::Usage(msg!("render.no-theme", name = config.build.theme)));
    }
    let mut tera = tera::Tera::default();
    let mut templates: Vec<(String, String)> = TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    for (name, text) in templates.iter_mut() {
        let custom = theme_dir.join("templates").join(&*name);
        if custom.is_file() {
            *text = String::from_utf8_lossy(&crate::fs::read(&custom)?).into_owned();
        }
    }
    for (name, text) in &templates {
        check_loads(name, text)?;
    }
    tera.add_raw_templates(templates).map_err(|e| Error::Template(error_chain(&e)))?;
    tera.autoescape_on(vec![".html"]);
    // tera's default escaper also escapes `/`, which bloats every URL for no safety gain
    // inside quoted attributes and text.
    tera.set_escape_fn(crate::markdown::escape);

    let custom_style = theme_dir.join("static").join("style.css");
    let style = if custom_style.is_file() {
        String::from_utf8_lossy(&crate::fs::read(&custom_style)?).into_owned()
    } else {
        STYLE.to_string()
    };
    // highlighting first, so the theme's own rules can correct its colours
    let css = format!("/* code highlighting */\n{}\n{style}", crate::markdown::highlight_css());
    let fingerprinted = |stem: &str, ext: &str, data: &[u8]| format!("assets/{stem}.{}.{ext}", fingerprint(data));
    let css_path = fingerprinted("style", "css", css.as_bytes());
    let js_path = fingerprinted("site", "js", SCRIPT.as_bytes());
    let search_js_path = fingerprinted("search", "js", SEARCH_SCRIPT.as_bytes());
    let offline_js_path = fingerprinted("offline", "js", OFFLINE_SCRIPT.as_bytes());
    let tai_viet_font_path = fingerprinted("noto-sans-tai-viet", "woff2", TAI_VIET_FONT);
    let share_card_path = fingerprinted("share-card", "png", SHARE_CARD);
    let mut files = vec![
        (css_path.clone(), css.into_bytes()),
        (js_path.clone(), SCRIPT.as_bytes().to_vec()),
        (search_js_path.clone(), SEARCH_SCRIPT.as_bytes().to_vec()),
        (offline_js_path.clone(), OFFLINE_SCRIPT.as_bytes().to_vec()),
        (SERVICE_WORKER_PATH.to_string(), SERVICE_WORKER.as_bytes().to_vec()),
        (tai_viet_font_path.clone(), TAI_VIET_FONT.to_vec()),
        ("assets/noto-sans-tai-viet.OFL.txt".to_string(), TAI_VIET_LICENSE.as_bytes().to_vec()),
        (share_card_path.clone(), SHARE_CARD.to_vec()),
    ];
    let logo = match &config.logo {
        Some(logo) => Some(crate::fs::read(&config.root.join(logo))?),
        None => None,
    };
    let (logo_path, icon_svg_path, icon_png_path) = match (&config.logo, logo) {
        (Some(logo), Some(svg)) => {
            let logo_path = fingerprinted("logo", "svg", &svg);
            files.push((logo_path.clone(), svg));
            let png = config.root.join(logo).with_extension("png");
            let png_path = if png.is_file() {
                let data = crate::fs::read(&png)?;
                let path = fingerprinted("logo", "png", &data);
                files.push((path.clone(), data));
                Some(path)
            } else {
                None
            };
            (Some(logo_path.clone()), logo_path, png_path)
        }
        _ => {
            let svg_path = fingerprinted("icon", "svg", ICON_SVG);
            let png_path = fingerprinted("icon", "png", ICON_PNG);
            files.push((svg_path.clone(), ICON_SVG.to_vec()));
            files.push((png_path.clone(), ICON_PNG.to_vec()));
            (None, svg_path, Some(png_path))
        }
    };
    let (strings, missing_strings) = load_strings(config, &theme_dir)?;
    let mut theme = Theme {
        tera,
        css_path,
        js_path,
        search_js_path,
        offline_js_path,
        tai_viet_font_path,
        share_card_path,
        logo_path,
        icon_svg_path,
        icon_png_path,
        files,
        strings,
        missing_strings,
    };
    let worker = service_worker(&theme.frame_loads(false));
    if let Some((_, data)) = theme.files.iter_mut().find(|(path, _)| path == SERVICE_WORKER_PATH) {
        *data = worker.into_bytes();
    }
    Ok(theme)
}

impl Theme {
    /// The files the frame of every page loads (see `base.html`): the stylesheet, the
    /// script, the icons and the logo, and for pages in the Tai Viet script its font.
    pub fn frame_loads(&self, tai_viet: bool) -> Vec<Load> {
        let mut loads = vec![
            Load { path: self.css_path.clone(), kind: LoadKind::Stylesheet },
            Load { path: self.js_path.clone(), kind: LoadKind::Script },
            Load { path: self.icon_svg_path.clone(), kind: LoadKind::Image },
        ];
        let images = self.icon_png_path.iter().chain(&self.logo_path);
        loads.extend(images.map(|p| Load { path: p.clone(), kind: LoadKind::Image }));
        if tai_viet {
            loads.push(Load { path: self.tai_viet_font_path.clone(), kind: LoadKind::Font });
        }
        loads
    }
}

/// `sw.js` with the files every page's frame loads (`SHELL`), which it keeps for the pages
/// open when it starts. Fonts are left to the pages that need them.
fn service_worker(frame: &[Load]) -> String {
    let shell: Vec<&str> = frame.iter().filter(|l| l.kind != LoadKind::Font).map(|l| l.path.as_str()).collect();
    let list = serde_json::to_string(&shell).expect("paths serialise");
    format!(
        "/* what every page loads, from the page views: see render::theme */\nvar SHELL = {list};\n{SERVICE_WORKER}"
    )
}

/// UI strings per language: embedded files, overridden by `themes/<name>/i18n/<lang>.toml`.
fn load_strings(config: &Config, theme_dir: &std::path::Path) -> Result<(Vec<toml::Table>, Vec<Vec<String>>), Error> {
    let parse = |name: &str, text: &str| -> Result<toml::Table, Error> {
        toml::from_str(text).map_err(|e| Error::Template(format!("i18n/{name}.toml: {e}")))
    };
    let reference = parse("vi", STRINGS_VI)?;
    let mut all = Vec::new();
    let mut missing = Vec::new();
    for lang in &config.languages {
        let custom = theme_dir.join("i18n").join(format!("{}.toml", lang.id));
        let own = if custom.is_file() {
            Some(parse(lang.id.as_str(), &String::from_utf8_lossy(&crate::fs::read(&custom)?))?)
        } else {
            STRINGS.iter().find(|(id, _)| *id == lang.id.as_str()).map(|(id, text)| parse(id, text)).transpose()?
        };
        let own = own.unwrap_or_default();
        missing.push(reference.keys().filter(|k| !own.contains_key(*k)).cloned().collect());
        let mut merged = reference.clone();
        merged.extend(own);
        all.push(merged);
    }
    Ok((all, missing))
}

/// The first 10 hex digits of the SHA-256 of `data`: enough to bust caches.
pub fn fingerprint(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    digest.iter().take(5).map(|b| format!("{b:02x}")).collect()
}

/// A template must not load anything from another host: page views list what a page
/// loads from the theme's own files, and pages must work offline.
fn check_loads(name: &str, text: &str) -> Result<(), Error> {
    use crate::markdown::loads::{is_foreign, kind, scan, LoadKind};
    let foreign = scan(text)
        .into_iter()
        .find(|(tag, attribute, url)| is_foreign(url) && kind(tag, attribute, url) != LoadKind::Linked);
    match foreign {
        Some((_, _, url)) => Err(Error::Template(msg!("render.foreign-template", name, url))),
        None => Ok(()),
    }
}

/// Tera hides the useful part of an error in its sources.
pub fn error_chain(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}
