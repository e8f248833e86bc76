//! Slugs: the ASCII names used in URLs and heading ids, made from Vietnamese text.
//!
//! `Mật khẩu mạnh` → `mat-khau-manh`, `Đường dây nóng` → `duong-day-nong`. Letters lose their
//! diacritics (`đ` → `d`), everything else becomes one `-` between words.

use deunicode::deunicode_char;

pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        let ascii: std::borrow::Cow<str> = if c.is_ascii() {
            std::borrow::Cow::Owned(c.to_string())
        } else {
            match c {
                'đ' | 'Đ' => "d".into(),
                _ => deunicode_char(c).unwrap_or("").into(),
            }
        };
        for a in ascii.chars() {
            if a.is_ascii_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(a.to_ascii_lowercase());
            } else {
                pending_dash = true;
            }
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn vietnamese_names_become_ascii_slugs() {
        let cases = [
            ("Mật khẩu mạnh", "mat-khau-manh"),
            ("Đường dây nóng 113", "duong-day-nong-113"),
            ("  An toàn -- thông tin! ", "an-toan-thong-tin"),
            ("Xác thực hai bước (2FA)", "xac-thuc-hai-buoc-2fa"),
            ("thuỷ lợi / thủy lợi", "thuy-loi-thuy-loi"),
            ("kĩ năng, kỹ năng", "ki-nang-ky-nang"),
            ("Mo\u{0323}\u{0302}t", "mot"), // decomposed "Một"
            ("!!!", ""),
        ];
        for (input, want) in cases {
            assert_eq!(slugify(input), want, "slug of {input:?}");
        }
    }
}
