//! What a new repository starts from, shared by `hoclieu init` and `hoclieu import mdbook`:
//! the `book.toml` with Sơn La's reference taxonomy (`docs/taxonomy.toml`, compiled in) and
//! the ids it knows (groups, domains, levels, languages) to check command-line flags against.
//!
//! It takes a site's title, description, publisher and language and returns text; it never
//! writes a file.

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
