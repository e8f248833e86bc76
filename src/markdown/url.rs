//! Which link destinations may reach a page: the one place that knows the schemes a lesson
//! may link to (http, https, mailto, tel) and reads a destination's scheme the way a
//! browser does, so `java&#9;script:` or ` javascript:` cannot pass for a relative path.
//!
//! Linking (`site::links`) uses it to resolve and report, the renderer to turn any other
//! link into text, whatever the diagnostics said.

/// Schemes a lesson may link to; anything else (`javascript:`, `vbscript:`, `data:`) is
/// refused.
pub const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The scheme of `dest` as a browser reads it, lowercased: leading and trailing spaces and
/// control characters, and tabs and newlines anywhere, are ignored first (the URL standard
/// strips them). `None` for a relative destination (`../a.md#x`, `#muc`, `a b:c`).
pub fn scheme(dest: &str) -> Option<String> {
    let trimmed = dest.trim_matches(|c: char| c <= ' ');
    let mut scheme = String::new();
    for c in trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')) {
        match c {
            ':' => break,
            c if c.is_ascii_alphabetic() => scheme.push(c.to_ascii_lowercase()),
            c if !scheme.is_empty() && (c.is_ascii_digit() || "+-.".contains(c)) => scheme.push(c),
            _ => return None,
        }
        // No scheme is this long; stop reading a long relative path early.
        if scheme.len() > 32 {
            return None;
        }
    }
    let has_colon = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).nth(scheme.len()) == Some(':');
    (has_colon && !scheme.is_empty()).then_some(scheme)
}

/// Whether a link to `dest` may be written as a link: relative, or with a safe scheme.
pub fn is_safe(dest: &str) -> bool {
    scheme(dest).is_none_or(|s| SAFE_SCHEMES.contains(&s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_read_as_a_browser_reads_them() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://dichvucong.gov.vn", Some("https")),
            ("HTTPS://x", Some("https")),
            ("mailto:a@b.vn", Some("mailto")),
            ("javascript:alert(1)", Some("javascript")),
            (" javascript:alert(1)", Some("javascript")),
            ("\u{1}javascript:alert(1)", Some("javascript")),
            ("java\tscript:alert(1)", Some("javascript")),
            ("java\nscript:alert(1)", Some("javascript")),
            ("JaVaScRiPt:alert(1)", Some("javascript")),
            ("vbscript:msgbox", Some("vbscript")),
            ("data:text/html,<script>", Some("data")),
            ("x-y+z.1:a", Some("x-y+z.1")),
            ("../a.md#x:y", None),
            ("a.md", None),
            ("#muc", None),
            ("a b:c", None),
            ("1abc:x", None),
            ("javascript%3Aalert(1)", None),
            ("", None),
            (":x", None),
        ];
        for (dest, want) in cases {
            assert_eq!(scheme(dest).as_deref(), *want, "{dest:?}");
        }
    }

    #[test]
    fn only_web_mail_phone_and_relative_links_are_safe() {
        for dest in ["https://a.vn", "http://a.vn", "mailto:a@b.vn", "tel:113", "../a.md", "#x", "hinh.png"] {
            assert!(is_safe(dest), "{dest}");
        }
        for dest in ["javascript:alert(1)", "vbscript:x", "data:text/html,x", "file:///etc/passwd", "java\tscript:x"] {
            assert!(!is_safe(dest), "{dest}");
        }
    }
}
