//! Offline packs: one named part of the site (`[packs.<id>]` of book.toml: some target
//! groups, maybe some domains, some languages) as a zip that opens anywhere — unzipped and
//! opened from `file://`, behind `hoclieu serve --static`, nginx or any static host.
//!
//! A pack is made by *narrowing the content, then running the normal stages*: lessons not
//! in the pack, their translations and the languages it leaves out are dropped before
//! [`site::link`], which then orders courses, paths, domains, previous/next and the search
//! index over what is left, so every page kind is narrowed for free. The dropped pages are
//! recorded as [`Content::left_out`]: a link to one is not an error but renders as its text
//! with a "not in this pack" note, never as a broken link. Assets are kept when a kept page
//! uses them.
//!
//! The pack's files get a [`manifest`] (`hoclieu-pack.json`: sizes and SHA-256 of every
//! file), a Vietnamese read-me (`DOC-DOC-TRUOC.txt`), and are zipped by [`archive`]
//! deterministically: the same content gives the same bytes. [`delta`] makes and applies
//! small updates between two versions of a pack. [`zim`] writes the same files as a ZIM
//! file, which the Kiwix apps and `kiwix-serve` open with nothing else installed.
//!
//! Takes the config and content as loaded; returns packs in memory. Writes nothing itself:
//! the CLI writes the zips, the build puts them under `packs/` of the output.

pub mod archive;
pub mod delta;
pub mod manifest;
pub mod unpack;
pub mod zim;

use crate::config::{Config, Pack};
use crate::content::{Content, PageKind, SourcePage};
use crate::diag::Diagnostic;
use crate::msg;
use crate::output::Contents;
use crate::site::{PageStatus, Site};
use crate::{config, render, search, site, Error};
use manifest::Manifest;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The read-me at the root of every pack.
pub const README_NAME: &str = "DOC-DOC-TRUOC.txt";

/// The file name of a pack's zip: `hoclieu-<id>.zip`, so a teacher's download folder says
/// what it is.
pub fn zip_name(id: &str) -> String {
    format!("hoclieu-{id}.zip")
}

/// The file name of a pack's ZIM file: `hoclieu-<id>.zim`.
pub fn zim_name(id: &str) -> String {
    format!("hoclieu-{id}.zim")
}

/// The file name of an update from version `from` to `to` of pack `id`.
pub fn update_name(id: &str, from: &str, to: &str) -> String {
    format!("hoclieu-{id}-cap-nhat-{from}-den-{to}.zip")
}

/// A file of a pack, in memory, `/`-separated path from the pack's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// A pack made in memory: its files, manifest and zip.
#[derive(Debug)]
pub struct BuiltPack {
    pub id: String,
    pub manifest: Manifest,
    /// Every file but the manifest, sorted by path.
    pub files: Vec<PackFile>,
    pub zip: Vec<u8>,
    /// The title of each page made from a Markdown file, by output path (for the ZIM's
    /// title index).
    pub titles: HashMap<String, String>,
}

/// When the content was last changed, for the manifest and the zip's timestamps: never the
/// clock, so the same content gives a byte-identical zip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildTime {
    /// Seconds since 1970-01-01 UTC.
    pub epoch: i64,
    pub source: &'static str,
}

/// The zip format's first representable moment (1980-01-01 00:00:00 UTC).
pub const ZIP_EPOCH: i64 = 315_532_800;

impl BuildTime {
    /// `SOURCE_DATE_EPOCH` when set (reproducible-builds convention); else the time of the
    /// last git commit that touched book.toml, content/ or themes/; else 1980-01-01 (the
    /// zip format's zero), marked `"source": "none"`. Never the current time.
    pub fn of(root: &Path) -> Result<BuildTime, Error> {
        if let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") {
            let text = value.to_string_lossy();
            let epoch = text.trim().parse::<i64>().map_err(|_| Error::Usage(msg!("pack.bad-epoch", text)))?;
            return Ok(BuildTime { epoch: epoch.max(ZIP_EPOCH), source: "SOURCE_DATE_EPOCH" });
        }
        let git = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["log", "-1", "--format=%ct", "--", "book.toml", "content", "themes"])
            .stderr(std::process::Stdio::null())
            .output();
        if let Ok(output) = git {
            if let Ok(epoch) = String::from_utf8_lossy(&output.stdout).trim().parse::<i64>() {
                if output.status.success() {
                    return Ok(BuildTime { epoch: epoch.max(ZIP_EPOCH), source: "git" });
                }
            }
        }
        Ok(BuildTime { epoch: ZIP_EPOCH, source: "none" })
    }

    /// `2025-03-14T08:30:00Z`
    pub fn rfc3339(&self) -> String {
        let (y, mo, d, h, mi, s) = crate::content::dates::civil(self.epoch);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// `(year, month, day, hour, minute, second)` in UTC.
    pub fn parts(&self) -> (i64, u8, u8, u8, u8, u8) {
        crate::content::dates::civil(self.epoch)
    }
}

/// Config and content loaded and checked once, for making any number of packs.
pub struct Source {
    pub config: Config,
    pub content: Content,
    pub time: BuildTime,
}

/// Loads and checks the whole site (a pack is made only from content without errors).
/// `Ok(Err(..))` holds the content's errors (and warnings).
pub fn load(root: &Path) -> Result<Result<Source, Vec<Diagnostic>>, Error> {
    let options = crate::pipeline::Options { drafts: false, keep_content: crate::pipeline::KeepContent::Always };
    let loaded = match crate::pipeline::load(root, options, &|_| {})? {
        Ok(loaded) => loaded,
        Err(diagnostics) => return Ok(Err(diagnostics.into_sorted())),
    };
    if loaded.diagnostics.has_errors() {
        return Ok(Err(loaded.diagnostics.into_sorted()));
    }
    let content = loaded.content.expect("the content is kept");
    let time = BuildTime::of(root)?;
    Ok(Ok(Source { config: loaded.site.config, content, time }))
}

/// The packs named by `ids` (all of them when `None`), or a usage error naming the
/// unknown id and the known ones.
pub fn select<'a>(config: &'a Config, ids: Option<&[String]>) -> Result<Vec<&'a Pack>, Error> {
    let known = || config.packs.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ");
    if config.packs.is_empty() {
        return Err(Error::Usage(msg!("pack.no-packs", file = config::FILE_NAME)));
    }
    match ids {
        None => Ok(config.packs.iter().collect()),
        Some(ids) => ids
            .iter()
            .map(|id| {
                config.packs.iter().find(|p| &p.id == id).ok_or_else(|| {
                    let hint = match crate::diag::did_you_mean(id, config.packs.iter().map(|p| p.id.as_str())) {
                        Some(best) => msg!("config.did-you-mean", best),
                        None => msg!("pack.packs-in", file = config::FILE_NAME, known = known()),
                    };
                    Error::Usage(msg!("pack.unknown", id, file = config::FILE_NAME, hint))
                })
            })
            .collect(),
    }
}

/// Makes one pack: narrows, links, renders, indexes, adds the read-me and the manifest,
/// zips.
pub fn build(source: &Source, pack: &Pack) -> Result<BuiltPack, Error> {
    let (config, content) = narrow(&source.config, &source.content, pack);
    let (mut site, diagnostics) = site::link(config, content);
    if let Some(error) = diagnostics.into_sorted().into_iter().find(Diagnostic::is_error) {
        // the whole site linked without error, so this is hoclieu's mistake, not the author's
        return Err(Error::Usage(msg!(
            "pack.narrowing-broke",
            id = pack.id,
            file = error.file.display(),
            message = error.message
        )));
    }
    keep_used_assets(&mut site);
    let titles = site
        .pages
        .iter()
        .map(|p| (p.output.clone(), p.source.front.title.clone()))
        .filter(|(_, title)| !title.is_empty())
        .collect();
    let (rendered, _) = render::site(&site)?;
    let mut out: Vec<PackFile> = Vec::with_capacity(rendered.files.len() + 64);
    for file in rendered.files.into_iter().chain(search::browser::site(&site)) {
        let data = match file.contents {
            Contents::Bytes(bytes) => bytes,
            Contents::Copy(path) => crate::fs::read(&site.config.root.join(path))?,
        };
        out.push(PackFile { path: file.path, data });
    }
    let title = title(&source.config, pack);
    out.push(PackFile { path: README_NAME.into(), data: readme(&source.config, pack, &title) });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest::of(pack, &title, &out, source.time);
    let zip = archive::write(&out, &manifest, source.time)?;
    Ok(BuiltPack { id: pack.id.clone(), manifest, files: out, zip, titles })
}

/// The ZIM file of a built pack: the same files as its zip (the manifest too), the home
/// page as the main page, lessons and pages titled for Kiwix's suggestions, and the
/// metadata Kiwix's library shows, all from the content (never the clock).
pub fn zim(source: &Source, pack: &Pack, built: &BuiltPack) -> Result<Vec<u8>, Error> {
    let config = &source.config;
    let manifest_json = built.manifest.to_json();
    let mut pages: Vec<zim::Page> = built
        .files
        .iter()
        .map(|f| zim::Page { path: &f.path, data: &f.data, title: built.titles.get(&f.path).map(String::as_str) })
        .collect();
    pages.push(zim::Page { path: manifest::FILE_NAME, data: &manifest_json, title: None });
    let mut languages: Vec<String> = Vec::new();
    for lang in pack.languages.iter().filter_map(|l| config.language(l.as_str())) {
        let code = iso639_3(&lang.tag);
        if !languages.contains(&code) {
            languages.push(code);
        }
    }
    let (year, month, day, ..) = source.time.parts();
    let description = if config.description.is_empty() { &config.title } else { &config.description };
    let mut tags = vec!["hoclieu".to_string(), "_category:other".into(), "_ftindex:no".into()];
    tags.extend(pack.groups.iter().map(|g| g.as_str().to_string()));
    let metadata = zim::Metadata {
        name: format!("hoclieu_{}", pack.id),
        title: built.manifest.title.clone(),
        description: shorten(description, 80),
        long_description: (description.chars().count() > 80).then(|| shorten(description, 4000)),
        language: languages.join(","),
        creator: if config.publisher.is_empty() { config.title.clone() } else { config.publisher.clone() },
        publisher: if config.publisher.is_empty() { config.title.clone() } else { config.publisher.clone() },
        date: format!("{year:04}-{month:02}-{day:02}"),
        tags: tags.join(";"),
        illustration: ZIM_ILLUSTRATION.to_vec(),
    };
    let digest = manifest::sha256_hex(format!("zim {}", built.manifest.content_hash).as_bytes());
    let mut uuid = [0u8; 16];
    for (i, byte) in uuid.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    zim::write(&pages, "index.html", &metadata, uuid)
        .map_err(|e| Error::Usage(msg!("pack.zim-failed", id = pack.id, error = e)))
}

/// The picture Kiwix's library shows beside the pack (48×48, the site's icon).
const ZIM_ILLUSTRATION: &[u8] = include_bytes!("../../themes/default/static/zim-illustration-48.png");

/// The ISO 639-3 code of a BCP 47 tag (`vi` → `vie`, `blt-Latn` → `blt`): ZIM metadata
/// name languages so.
pub fn iso639_3(tag: &str) -> String {
    let primary = tag.split(['-', '_']).next().unwrap_or(tag).to_ascii_lowercase();
    let three = match primary.as_str() {
        "vi" => "vie",
        "en" => "eng",
        "fr" => "fra",
        "zh" => "zho",
        "th" => "tha",
        "lo" => "lao",
        "km" => "khm",
        "de" => "deu",
        "es" => "spa",
        "ru" => "rus",
        "ja" => "jpn",
        "ko" => "kor",
        other => other,
    };
    three.to_string()
}

/// At most `max` characters, cut at a word with "…".
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).trim_end_matches([',', ';', ' ', '—']);
    format!("{cut}…")
}

/// The pack's title: its own, or the site's with the groups' names.
pub fn title(config: &Config, pack: &Pack) -> String {
    pack.title.clone().unwrap_or_else(|| {
        let groups: Vec<&str> =
            pack.groups.iter().filter_map(|g| config.group(g.as_str())).map(|g| g.name.as_str()).collect();
        format!("{} — {}", config.title, groups.join(", "))
    })
}

/// The config and content of the pack alone. Lessons are in when one of their groups is
/// the pack's (and, when the pack names domains, one of their domains too); a section is in
/// when a lesson below it is; pages outside sections and the home page always are.
pub fn narrow(config: &Config, content: &Content, pack: &Pack) -> (Config, Content) {
    let default = &config.default_language;
    let in_pack = |page: &SourcePage| {
        page.front.groups.iter().any(|g| pack.groups.contains(g))
            && (pack.domains.is_empty() || page.front.domains.iter().any(|d| pack.domains.contains(d)))
    };
    let kept_lessons: HashSet<(Option<&str>, &str)> = content
        .pages
        .iter()
        .filter(|p| &p.lang == default && p.kind == PageKind::Lesson && in_pack(p))
        .map(|p| (p.section.as_deref(), p.slug.as_str()))
        .collect();
    // the sections of the lessons kept, and every section above them
    let kept_sections: HashSet<&str> = kept_lessons
        .iter()
        .filter_map(|(section, _)| *section)
        .flat_map(|id| std::iter::successors(Some(id), |id| id.rsplit_once('/').map(|(up, _)| up)))
        .collect();
    let keep = |page: &SourcePage| {
        pack.languages.contains(&page.lang)
            && match page.kind {
                PageKind::Home | PageKind::Page => true,
                PageKind::SectionIndex => page.section.as_deref().is_some_and(|s| kept_sections.contains(s)),
                PageKind::Lesson => kept_lessons.contains(&(page.section.as_deref(), page.slug.as_str())),
            }
    };
    let mut pages = Vec::new();
    let mut left_out = Vec::new();
    for page in &content.pages {
        if keep(page) {
            pages.push(page.clone());
        } else {
            left_out.push(page.path.clone());
        }
    }
    // a section folder without _index.md is still a section: its page is made up by `link`
    for (id, dir) in &content.sections {
        if !kept_sections.contains(id.as_str()) {
            left_out.push(dir.join("_index.md"));
        }
    }
    let content = Content {
        pages,
        assets: content.assets.clone(),
        sections: content
            .sections
            .iter()
            .filter(|(id, _)| kept_sections.contains(id.as_str()))
            .map(|(s, d)| (s.clone(), d.clone()))
            .collect(),
        left_out,
    };

    let mut narrowed = config.clone();
    narrowed.languages.retain(|l| pack.languages.contains(&l.id));
    narrowed.groups.retain(|g| pack.groups.contains(&g.id));
    let domains: HashSet<&config::DomainId> = if pack.domains.is_empty() {
        narrowed.groups.iter().flat_map(|g| g.domains.iter()).collect()
    } else {
        pack.domains.iter().collect()
    };
    narrowed.domains.retain(|d| domains.contains(&d.id));
    let kept_domains: Vec<config::DomainId> = narrowed.domains.iter().map(|d| d.id.clone()).collect();
    for group in &mut narrowed.groups {
        group.domains.retain(|d| kept_domains.contains(d));
    }
    narrowed.packs.clear();
    narrowed.build.packs = false;
    // a pack is read on phones: images only as wide as a phone needs (see crate::images)
    narrowed.images.widths.retain(|&w| w <= crate::images::PHONE_WIDTH);
    narrowed.images.originals = false;
    (narrowed, content)
}

/// Drops the assets no page of the pack uses: those its Markdown links or shows, and those
/// whose file name its raw HTML mentions (`<audio src="bai.mp3">`) in the same folder.
fn keep_used_assets(site: &mut Site) {
    let mut used: HashSet<PathBuf> = HashSet::new();
    let mut texts: HashMap<&Path, Vec<&str>> = HashMap::new();
    for page in site.pages.iter().filter(|p| p.status != PageStatus::Fallback) {
        used.extend(page.uses.assets.iter().map(|&asset| site.assets[asset].source.clone()));
        if let Some(folder) = page.source.path.parent() {
            texts.entry(folder).or_default().push(page.source.body());
        }
    }
    let mentioned = |source: &Path| {
        let name = source.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        source.parent().and_then(|f| texts.get(f)).is_some_and(|bodies| bodies.iter().any(|b| b.contains(&*name)))
    };
    let keep: HashSet<PathBuf> = site
        .assets
        .iter()
        .filter(|a| used.contains(&a.source) || mentioned(&a.source))
        .map(|a| a.source.clone())
        .collect();
    site.retain_assets(|a| keep.contains(&a.source));
}

/// `DOC-DOC-TRUOC.txt`: how to open, copy, host and check the pack, in Vietnamese. UTF-8
/// with a byte-order mark and CRLF line ends, so Notepad on an old Windows shows it right.
fn readme(config: &Config, pack: &Pack, title: &str) -> Vec<u8> {
    let languages: Vec<&str> =
        pack.languages.iter().filter_map(|l| config.language(l.as_str())).map(|l| l.name.as_str()).collect();
    let groups: Vec<&str> =
        pack.groups.iter().filter_map(|g| config.group(g.as_str())).map(|g| g.name.as_str()).collect();
    let text = format!(
        "GÓI HỌC LIỆU OFFLINE: {title}
Mã gói: {id}
Ngôn ngữ: {languages}
Dành cho: {groups}

Gói này chạy không cần Internet và không cần cài đặt gì.

0. CÁCH NHANH NHẤT: MỞ BẰNG KIWIX (nếu có tệp hoclieu-{id}.zim)
   - Tệp .zim là cùng gói này, mở được ngay bằng ứng dụng Kiwix mà nhiều
     trường, nhà văn hóa đã có, không cần giải nén, không cần hoclieu:
     Kiwix cho Android (CH Play, F-Droid), iPhone/iPad (App Store), Windows,
     Linux (Kiwix Desktop). Mở Kiwix, chọn tệp hoclieu-{id}.zim, rồi học như
     trên trang web: tìm kiếm, câu hỏi ôn tập, đánh dấu bài đã học đều chạy.
   - Cho cả lớp qua mạng nội bộ (LAN):  kiwix-serve --port 8080 hoclieu-{id}.zim
     rồi cho học viên mở http://ĐỊA-CHỈ-MÁY:8080 trên điện thoại.
     Điểm phát Kiwix (Kiwix Hotspot): chép tệp .zim vào như các tệp .zim khác.
   - Không có Kiwix? Dùng tệp .zip như hướng dẫn dưới đây.

1. MỞ TRÊN MÁY TÍNH
   - Giải nén toàn bộ tệp .zip vào một thư mục (nhấp chuột phải vào tệp,
     chọn \"Extract All...\" / \"Giải nén tất cả\"). Đừng mở trang ngay bên
     trong tệp .zip: trang sẽ không chạy đúng.
   - Mở tệp index.html trong thư mục đó bằng trình duyệt (Chrome, Cốc Cốc,
     Firefox, Edge). Chọn ngôn ngữ, rồi học như trên trang web.
   - Tìm kiếm, câu hỏi ôn tập và đánh dấu bài đã học đều chạy được khi không
     có mạng. Việc đánh dấu được lưu trong trình duyệt của máy này.

2. CHÉP SANG USB HOẶC ĐIỆN THOẠI
   - Chép cả thư mục đã giải nén (không chép riêng lẻ từng tệp).
   - Trên điện thoại Android: mở index.html bằng ứng dụng Quản lý tệp, chọn
     mở bằng trình duyệt.

3. CHIA SẺ TRONG MẠNG NỘI BỘ (LAN) CỦA TRƯỜNG, NHÀ VĂN HÓA
   - Bằng hoclieu:  hoclieu serve --static THU-MUC --bind 0.0.0.0 --qr
     rồi đưa địa chỉ (hoặc mã QR) được in ra cho học viên.
   - Hoặc bằng nginx, Apache hay máy chủ web tĩnh bất kỳ: đặt thư mục gốc
     (root) là thư mục đã giải nén. Không cần cấu hình gì thêm.

4. KIỂM TRA GÓI CÓ NGUYÊN VẸN KHÔNG
   - Tệp hoclieu-pack.json ghi kích thước và mã SHA-256 của từng tệp.
   - hoclieu verify hoclieu-{id}.zip       (hoặc: hoclieu verify THU-MUC,
     hoclieu verify hoclieu-{id}.zim)      báo tệp thiếu, tệp thừa, tệp hỏng.
   - hoclieu unpack hoclieu-{id}.zip THU-MUC   giải nén an toàn, kiểm tra từng tệp.

5. CẬP NHẬT
   - Khi có bản mới, có thể nhận một tệp cập nhật nhỏ thay vì cả gói:
     hoclieu unpack TEP-CAP-NHAT.zip THU-MUC
     Tệp cập nhật chỉ áp dụng được khi THU-MUC đúng là phiên bản cũ, nguyên vẹn;
     nếu có lỗi giữa chừng, thư mục cũ vẫn giữ nguyên.
",
        id = pack.id,
        languages = languages.join(", "),
        groups = groups.join("; "),
    );
    let mut data = "\u{FEFF}".as_bytes().to_vec();
    data.extend(text.replace('\n', "\r\n").into_bytes());
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(crate::content::dates::civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(crate::content::dates::civil(ZIP_EPOCH), (1980, 1, 1, 0, 0, 0));
        assert_eq!(crate::content::dates::civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(crate::content::dates::civil(1_710_405_000), (2024, 3, 14, 8, 30, 0));
        assert_eq!(BuildTime { epoch: 1_710_405_000, source: "git" }.rfc3339(), "2024-03-14T08:30:00Z");
    }

    #[test]
    fn zim_metadata_helpers() {
        assert_eq!(iso639_3("vi"), "vie");
        assert_eq!(iso639_3("blt-Latn"), "blt");
        assert_eq!(iso639_3("hmn-Latn"), "hmn");
        let long = "Bài học kỹ năng số cơ bản cho cán bộ, doanh nghiệp, học sinh và người dân tỉnh Sơn La — Bình dân học vụ số.";
        let short = shorten(long, 80);
        assert!(short.chars().count() <= 80 && short.ends_with('…') && short.starts_with("Bài học"), "{short}");
        assert_eq!(shorten("ngắn", 80), "ngắn");
    }
}
