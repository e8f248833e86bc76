//! `RawConfig` mirrors `book.toml` exactly; serde rejects unknown keys. Checked types live
//! in the parent module. Table keys that become names (ids) keep their place in the file,
//! so a bad one is reported where it is.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub site: RawSite,
    #[serde(default)]
    pub languages: IndexMap<Spanned<String>, RawLanguage>,
    #[serde(default)]
    pub domains: IndexMap<Spanned<String>, RawDomain>,
    #[serde(default)]
    pub groups: IndexMap<Spanned<String>, RawGroup>,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub budgets: RawBudgets,
    #[serde(default)]
    pub markdown: RawMarkdown,
    #[serde(default)]
    pub images: RawImages,
    #[serde(default)]
    pub packs: IndexMap<Spanned<String>, RawPack>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub default_language: Option<Spanned<String>>,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub publisher: String,
    pub logo: Option<Spanned<String>>,
    pub feedback: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLanguage {
    pub name: String,
    pub name_vi: Option<String>,
    pub tag: Option<String>,
    pub script: Option<Spanned<String>>,
    pub font: Option<String>,
    pub orthography: Option<String>,
    /// The site's title, description and publisher in this language.
    #[serde(default)]
    pub site: RawLanguageSite,
    /// How far this language's names in book.toml have been checked.
    pub review: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLanguageSite {
    pub title: Option<String>,
    pub description: Option<String>,
    pub publisher: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDomain {
    pub name: String,
    /// The name in other languages, by language id.
    #[serde(default)]
    pub names: IndexMap<String, Spanned<String>>,
    pub order: Option<i64>,
    #[serde(default)]
    pub topics: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub name: String,
    /// The name in other languages, by language id.
    #[serde(default)]
    pub names: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    pub domains: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBuild {
    pub out_dir: Option<String>,
    pub precompress: Option<bool>,
    pub theme: Option<Spanned<String>>,
    pub packs: Option<bool>,
    pub cache_dir: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudgets {
    pub lesson_kb: Option<u32>,
    pub js_kb: Option<u32>,
    pub image_kb: Option<u32>,
    pub page_images_kb: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImages {
    pub widths: Option<Vec<u32>>,
    pub photo_quality: Option<u8>,
    pub screen_quality: Option<u8>,
    pub cache_dir: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarkdown {
    pub unsafe_html: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    /// `["zip"]` when not given; `"zim"` adds a ZIM file for Kiwix.
    #[serde(default)]
    pub formats: Vec<String>,
}
