//! Budgets that count pictures: each image at the width a 360 px phone loads
//! ([`crate::images::PHONE_WIDTH`], `[budgets] image_kb`), and all the images of a page at
//! that width (`[budgets] page_images_kb`). The weights are the WebP variants' exact bytes,
//! known from processing, so this runs on every build, compressed or not. Over budget is a
//! warning naming the file, the width and the bytes; an error with `--strict`.

use crate::diag::{Diagnostic, Severity};
use crate::msg;
use crate::render::view::LoadKind;
use crate::render::PageLoads;
use crate::site::{PageStatus, Site};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

fn kb(bytes: u64) -> String {
    format!("{} KB", crate::messages::decimal(bytes as f64 / 1024.0, 1))
}

/// Checks every processed image, and every page's images.
pub fn check(site: &Site, pages: &BTreeMap<String, PageLoads>, strict: bool) -> Vec<Diagnostic> {
    let budgets = &site.config.budgets;
    let severity = if strict { Severity::Error } else { Severity::Warning };
    let mut problems = Vec::new();
    // the phone's variant of each image: output path -> (source, width, bytes)
    let mut phone: HashMap<&str, (&Path, u32, u64)> = HashMap::new();
    for asset in &site.assets {
        let Some(image) = &asset.image else { continue };
        let variant = image.phone();
        let bytes = variant.bytes.len() as u64;
        phone.insert(variant.output.as_str(), (asset.source.as_path(), variant.width, bytes));
        if bytes > u64::from(budgets.image_kb) * 1024 {
            let mut d = Diagnostic::warning(
                &asset.source,
                "image-over-budget",
                msg!("lint.image-over-budget", size = kb(bytes), width = variant.width, budget = budgets.image_kb),
            )
            .hint(msg!("lint.image-over-budget-hint"));
            d.severity = severity;
            problems.push(d);
        }
    }
    let sources: HashMap<&str, &Path> =
        site.pages.iter().map(|p| (p.output.as_str(), p.source.path.as_path())).collect();
    let fallbacks: HashSet<&str> =
        site.pages.iter().filter(|p| p.status == PageStatus::Fallback).map(|p| p.output.as_str()).collect();
    let print_suffix = format!("/{}/index.html", crate::site::PRINT_SLUG);
    for (page, loads) in pages {
        if fallbacks.contains(page.as_str()) || page.ends_with(&print_suffix) {
            continue;
        }
        let images: Vec<&(&Path, u32, u64)> = loads
            .loads
            .iter()
            .filter(|l| l.kind == LoadKind::Image)
            .filter_map(|l| phone.get(l.path.as_str()))
            .collect();
        let total: u64 = images.iter().map(|(_, _, b)| b).sum();
        if total <= u64::from(budgets.page_images_kb) * 1024 {
            continue;
        }
        let mut heaviest = images.clone();
        heaviest.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        let named: Vec<String> = heaviest
            .iter()
            .take(3)
            .map(|(source, width, bytes)| msg!("lint.image-at", file = source.display(), size = kb(*bytes), width))
            .collect();
        let source = sources.get(page.as_str()).copied().unwrap_or(Path::new(page.as_str()));
        let mut d = Diagnostic::warning(
            source,
            "images-over-budget",
            if images.len() == 1 {
                msg!(
                    "lint.page-image-over-budget",
                    page,
                    size = kb(total),
                    heaviest = named.join(", "),
                    budget = budgets.page_images_kb
                )
            } else {
                msg!(
                    "lint.page-images-over-budget",
                    page,
                    size = kb(total),
                    count = images.len(),
                    heaviest = named.join(", "),
                    budget = budgets.page_images_kb
                )
            },
        )
        .hint(msg!("lint.page-images-over-budget-hint"));
        d.severity = severity;
        problems.push(d);
    }
    problems
}
