//! What a new repository starts from, shared by `hoclieu init` and `hoclieu import mdbook`:
//! the `book.toml` with Sơn La's reference taxonomy (`docs/taxonomy.toml`, compiled in) and
//! the ids it knows (groups, domains, levels, languages) to check command-line flags against;
//! the starter files of `hoclieu init`; the text of `hoclieu new lesson`.
//!
//! It returns text and reads what it needs (a new lesson's siblings); it never writes a
//! file: the commands in `cli` do.

use std::collections::BTreeMap;

/// The reference taxonomy, as shipped in `docs/taxonomy.toml`.
pub const TAXONOMY: &str = include_str!("../docs/taxonomy.toml");

/// The `.gitignore` of a new repository: what builds and previews write.
pub const GITIGNORE: &str = "public/\npacks/\n.hoclieu-cache/\n";

/// The levels a lesson or section may set.
pub const LEVELS: &[&str] = &["co-ban", "nang-cao", "chuyen-sau"];

/// What `[site]` of a new `book.toml` says.
pub struct Site<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub publisher: &'a str,
    /// The id of a language of the taxonomy (see [`language_for`]).
    pub language: &'a str,
}

/// The ids of the reference taxonomy, in the file's order.
pub struct Taxonomy {
    pub groups: Vec<String>,
    pub domains: Vec<String>,
    /// `(id, tag)` of each language.
    pub languages: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
struct RawTaxonomy {
    domains: BTreeMap<String, toml::Value>,
    groups: BTreeMap<String, toml::Value>,
    languages: BTreeMap<String, RawLanguage>,
}

#[derive(serde::Deserialize)]
struct RawLanguage {
    tag: String,
}

/// The ids of the reference taxonomy, in the order the file lists them.
pub fn taxonomy() -> Taxonomy {
    let raw: RawTaxonomy = toml::from_str(TAXONOMY).expect("docs/taxonomy.toml is valid TOML");
    let in_file_order = |table: &str, ids: Vec<String>| {
        let mut ids: Vec<(usize, String)> =
            ids.into_iter().map(|id| (TAXONOMY.find(&format!("[{table}.{id}]")).unwrap_or(usize::MAX), id)).collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let languages = in_file_order("languages", raw.languages.keys().cloned().collect())
        .into_iter()
        .map(|id| {
            let tag = raw.languages[&id].tag.clone();
            (id, tag)
        })
        .collect();
    Taxonomy {
        groups: in_file_order("groups", raw.groups.into_keys().collect()),
        domains: in_file_order("domains", raw.domains.into_keys().collect()),
        languages,
    }
}

/// The taxonomy language for a language code such as mdBook's `language = "vi"`: by id,
/// then by BCP 47 tag, then by primary subtag (`vi-VN` → `vi`), ignoring case.
pub fn language_for(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_lowercase().replace('_', "-");
    let languages = taxonomy().languages;
    let find = |code: &str| {
        languages.iter().find(|(id, tag)| id == code || tag.to_ascii_lowercase() == code).map(|(id, _)| id.clone())
    };
    find(&code).or_else(|| find(code.split('-').next().unwrap_or_default()))
}

/// A TOML basic string holding `text`.
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML array of strings.
pub fn toml_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// The `book.toml` of a new repository: `[site]`, then the reference taxonomy with every
/// domain and group, and the site's language. Other languages stay in the file as comments
/// to switch on, and so do the domains each group must learn (`domains = […]` of a group):
/// with them on, `hoclieu check` warns about every group × domain without a lesson, which
/// a new repository cannot have yet.
pub fn book_toml(site: &Site) -> String {
    let mut out = String::new();
    out.push_str(
        "# Cấu hình kho học liệu.\n\
         # Lĩnh vực, nhóm đối tượng và ngôn ngữ theo danh mục tham chiếu của tỉnh Sơn La\n\
         # (docs/taxonomy.toml của hoclieu); mã (id) đã dùng thì không đổi nữa.\n\
         # - Dòng `# domains = […]` của mỗi nhóm là các lĩnh vực nhóm đó cần học: bỏ dấu # khi\n\
         #   đã có bài cho nhóm, `hoclieu check` sẽ báo lĩnh vực nào còn thiếu bài.\n\
         # - Thêm ngôn ngữ: bỏ dấu # ở bảng [languages.…] tương ứng.\n\n",
    );
    out.push_str("[site]\n");
    out.push_str(&format!("title = {}\n", toml_string(site.title)));
    out.push_str(&format!("description = {}\n", toml_string(site.description)));
    out.push_str(&format!("default_language = {}\n", toml_string(site.language)));
    if !site.publisher.is_empty() {
        out.push_str(&format!("publisher = {}\n", toml_string(site.publisher)));
    }
    out.push('\n');
    let mut table = String::new();
    let mut commenting_list = false;
    for line in TAXONOMY.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            table = trimmed.trim_end().to_string();
        }
        let off_language = table.starts_with("[languages.") && table != format!("[languages.{}]", site.language);
        let group_domains = table.starts_with("[groups.") && trimmed.starts_with("domains");
        if commenting_list || group_domains {
            commenting_list = !line.contains(']');
            out.push_str("# ");
        } else if off_language && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push_str("# ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The files of `hoclieu init`: a repository that builds and checks clean, in Vietnamese:
/// a home page, one course that gives its lessons their groups, domains and level, and one
/// lesson with a picture and a quiz. Paths are relative to the repository.
pub fn starter() -> Vec<(&'static str, String)> {
    let site = Site {
        title: "Học liệu kỹ năng số",
        description: "Bài học kỹ năng số ngắn, dễ hiểu, học được trên điện thoại.",
        publisher: "",
        language: "vi",
    };
    vec![
        ("book.toml", book_toml(&site)),
        (".gitignore", GITIGNORE.to_string()),
        ("content/_index.md", STARTER_HOME.to_string()),
        ("content/an-toan-tren-mang/_index.md", STARTER_COURSE.to_string()),
        ("content/an-toan-tren-mang/mat-khau-manh.md", STARTER_LESSON.to_string()),
        ("content/an-toan-tren-mang/o-khoa.svg", STARTER_PICTURE.to_string()),
    ]
}

const STARTER_HOME: &str = r#"+++
title = "Học liệu kỹ năng số"
summary = "Bài học kỹ năng số ngắn, dễ hiểu, học được trên điện thoại."
+++
Chào mừng bạn đến với kho học liệu. Mỗi khóa học là một thư mục trong `content/`, mỗi bài học là một tệp Markdown trong thư mục đó.

Hãy bắt đầu với khóa [An toàn trên mạng](an-toan-tren-mang/_index.md).
"#;

const STARTER_COURSE: &str = r#"+++
title = "An toàn trên mạng"
summary = "Giữ tài khoản và điện thoại an toàn trước kẻ gian."
weight = 1
groups = ["nguoi-dan"]
domains = ["an-toan"]
level = "co-ban"
+++
Khóa học mẫu. Mọi bài trong thư mục này dùng nhóm đối tượng, lĩnh vực và mức độ ghi ở đầu tệp `_index.md` này. Thêm bài mới bằng lệnh `hoclieu new lesson content/an-toan-tren-mang/ten-bai.md --title "Tên bài"`.
"#;

const STARTER_LESSON: &str = r#"+++
title = "Mật khẩu mạnh"
summary = "Cách tạo một mật khẩu dễ nhớ mà khó đoán."
duration = 10
weight = 1
objectives = [
  "Tạo được mật khẩu mạnh từ một câu dễ nhớ",
  "Biết không dùng chung một mật khẩu cho nhiều tài khoản",
]
+++
## Vì sao cần mật khẩu mạnh?

Mật khẩu là chìa khóa nhà. Ai có mật khẩu Zalo của bạn có thể nhắn tin vay tiền người thân bằng tên bạn.

![Ổ khóa đóng: mật khẩu mạnh giữ tài khoản của bạn an toàn](o-khoa.svg)

## Tạo mật khẩu từ một câu

1. Nghĩ một câu chỉ mình biết, ví dụ: "Nhà em trồng 3 cây mận".
2. Viết liền, bỏ dấu: `NhaEmTrong3CayMan`.
3. Thêm một ký hiệu: `NhaEmTrong3CayMan!`.

Mỗi tài khoản quan trọng nên có một mật khẩu riêng.

```quiz
[[question]]
text = "Mật khẩu nào dưới đây mạnh nhất?"
choices = ["123456", "lan1985", "NhaEmTrong3CayMan!"]
answer = [3]
explain = "Mật khẩu này dài và tạo từ một câu chỉ mình biết. `123456` ai cũng thử đầu tiên; `lan1985` là tên và năm sinh."
```
"#;

const STARTER_PICTURE: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120" role="img">
  <title>Ổ khóa đóng</title>
  <path d="M35 55 V40 a25 25 0 0 1 50 0 V55" fill="none" stroke="#1f4e79" stroke-width="10"/>
  <rect x="22" y="55" width="76" height="55" rx="8" fill="#2e75b6"/>
  <circle cx="60" cy="78" r="8" fill="#fff"/>
  <rect x="57" y="80" width="6" height="16" fill="#fff"/>
</svg>
"##;

/// What `hoclieu new lesson` found for a lesson about to be written.
pub struct NewLesson {
    /// The whole file.
    pub text: String,
    pub weight: i64,
}

/// The front matter's keys of a Markdown file that `new lesson` reads.
#[derive(Default)]
struct Front {
    weight: Option<i64>,
    groups: Option<Vec<String>>,
    domains: Option<Vec<String>>,
}

fn read_front(path: &std::path::Path) -> Front {
    let Ok(text) = std::fs::read_to_string(path) else { return Front::default() };
    let Ok(split) = crate::content::front_matter::split(&text, path) else { return Front::default() };
    let front = &text[split.front_start..split.front_end];
    let list = |v: Option<&toml::Value>| {
        v.and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
    };
    if text.starts_with("+++") {
        let Ok(table) = toml::from_str::<toml::Table>(front) else { return Front::default() };
        Front {
            weight: table.get("weight").and_then(|w| w.as_integer()),
            groups: list(table.get("groups")),
            domains: list(table.get("domains")),
        }
    } else {
        let Ok(value) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(front) else { return Front::default() };
        let list = |key: &str| {
            value
                .get(key)
                .and_then(|v| v.as_sequence())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
        };
        Front { weight: value.get("weight").and_then(|w| w.as_i64()), groups: list("groups"), domains: list("domains") }
    }
}

/// The text of a new lesson at `path` (`content/<course>/…/<name>.md`): the next weight in
/// its folder (its lessons and sub-sections, max + 1), the title, an empty summary, and
/// the groups and domains of the previous lesson unless a section above gives them (its
/// `_index.md`: every lesson below inherits them). Refuses what is not a new lesson of a
/// course; writes nothing.
pub fn new_lesson(path: &std::path::Path, title: &str) -> Result<NewLesson, crate::Error> {
    use crate::{msg, Error};
    use std::path::{Component, Path};
    let shown = path.display();
    let usage = |what: String| Err(Error::Usage(what));
    if path.extension().is_none_or(|e| e != "md") || path.file_name().is_some_and(|n| n == "_index.md") {
        return usage(msg!("new-lesson.not-a-lesson", path = shown));
    }
    let parts: Vec<Component> = path.components().collect();
    let Some(content_at) = parts.iter().rposition(|c| c.as_os_str() == "content") else {
        return usage(msg!("new-lesson.not-in-a-course", path = shown));
    };
    if parts.len() < content_at + 3 {
        return usage(msg!("new-lesson.not-in-a-course", path = shown));
    }
    let root: std::path::PathBuf = parts[..content_at].iter().collect();
    let root = if root.as_os_str().is_empty() { Path::new(".").to_path_buf() } else { root };
    if !root.join("book.toml").is_file() {
        return usage(msg!("new-lesson.no-book-toml", path = shown, root = root.display()));
    }
    if path.exists() {
        return usage(msg!("new-lesson.exists", path = shown));
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return usage(msg!("new-lesson.no-folder", folder = folder.display()));
    }
    // Siblings: lessons (not translations) and sub-sections.
    let mut max_weight = 0;
    let mut previous: Option<(i64, Front)> = None;
    let mut entries: Vec<_> = std::fs::read_dir(folder)
        .map_err(|e| Error::io(folder, "cannot read folder", e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            if let Some(w) = read_front(&entry.join("_index.md")).weight {
                max_weight = max_weight.max(w);
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".md") else { continue };
        if stem == "_index" || stem.starts_with("_index.") || stem.contains('.') {
            continue; // the section's own page, or a translation (`bai.blt.md`)
        }
        let front = read_front(&entry);
        let weight = front.weight.unwrap_or(0);
        max_weight = max_weight.max(weight);
        if previous.as_ref().is_none_or(|(w, _)| weight >= *w) {
            previous = Some((weight, front));
        }
    }
    // Groups and domains a section above gives (up to content/).
    let (mut inherits_groups, mut inherits_domains) = (false, false);
    let content = root.join("content");
    let mut dir = folder.to_path_buf();
    while dir.starts_with(&content) && dir != content {
        let front = read_front(&dir.join("_index.md"));
        inherits_groups |= front.groups.is_some_and(|g| !g.is_empty());
        inherits_domains |= front.domains.is_some_and(|d| !d.is_empty());
        if !dir.pop() {
            break;
        }
    }
    let weight = max_weight + 1;
    let title: String = unicode_normalization::UnicodeNormalization::nfc(title.trim()).collect();
    let mut text = format!("+++\ntitle = {}\nsummary = \"\"\nweight = {weight}\n", toml_string(&title));
    let previous = previous.map(|(_, f)| f).unwrap_or_default();
    if !inherits_groups {
        if let Some(groups) = previous.groups.filter(|g| !g.is_empty()) {
            text.push_str(&format!("groups = {}\n", toml_list(&groups)));
        }
    }
    if !inherits_domains {
        if let Some(domains) = previous.domains.filter(|d| !d.is_empty()) {
            text.push_str(&format!("domains = {}\n", toml_list(&domains)));
        }
    }
    text.push_str("+++\n");
    Ok(NewLesson { text, weight })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_toml_reads_back_with_every_group_and_domain_of_the_taxonomy() {
        let text = book_toml(&Site { title: "Sách \"A\"", description: "", publisher: "X", language: "hmn" });
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::parse(dir.path(), &text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        let taxonomy = taxonomy();
        assert_eq!(config.title, "Sách \"A\"");
        assert_eq!(config.groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), taxonomy.groups);
        assert_eq!(config.domains.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), taxonomy.domains);
        assert_eq!(config.languages.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["hmn"]);
        assert!(config.groups.iter().all(|g| g.domains.is_empty()));
        assert!(
            text.contains("# domains = [\"nhan-thuc-so\", \"du-lieu-thong-tin\", \"an-toan\", \"giai-quyet-van-de\"]")
        );
    }

    #[test]
    fn languages_are_found_by_id_tag_or_primary_subtag() {
        assert_eq!(language_for("vi").as_deref(), Some("vi"));
        assert_eq!(language_for("vi-VN").as_deref(), Some("vi"));
        assert_eq!(language_for("hmn-Latn").as_deref(), Some("hmn"));
        assert_eq!(language_for("blt-Tavt").as_deref(), Some("blt-tavt"));
        assert_eq!(language_for("en"), None);
    }
}
