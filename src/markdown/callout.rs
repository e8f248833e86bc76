//! Callouts: GitHub-style alerts (`> [!NOTE]`, `> [!TIP]`, `> [!IMPORTANT]`,
//! `> [!WARNING]`, `> [!CAUTION]`) become `<aside class="callout callout-note" role="note">`
//! with a visible label in the page's language. pulldown-cmark recognises them (with
//! `Options::ENABLE_GFM`); this module only names and labels them.

use super::{escape, Strings};
use pulldown_cmark::BlockQuoteKind;

/// The class suffix and the UI string key of a callout kind.
fn name(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// The opening of a callout, with its label; [`CLOSE`] ends it.
pub fn open(kind: BlockQuoteKind, strings: &Strings) -> String {
    let name = name(kind);
    format!(
        "<aside class=\"callout callout-{name}\" role=\"note\">\n<p class=\"callout-label\">{}</p>\n",
        escape(strings.get(&format!("callout_{name}")))
    )
}

pub const CLOSE: &str = "</aside>\n";
