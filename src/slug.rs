//! Slugs: the ASCII names used in URLs and heading ids, made from Vietnamese text.
//!
//! `Mật khẩu mạnh` → `mat-khau-manh`, `Đường dây nóng` → `duong-day-nong`. Letters lose their
//! diacritics (`đ` → `d`), everything else becomes one `-` between words.

use deunicode::deunicode_char;

pub fn slugify(text: &str) -> String {
    let mut slug = Slug { text: String::with_capacity(text.len()), pending_dash: false };
    for c in text.chars() {
        match c {
            // most characters of a heading: taken as they are, nothing allocated per character
            c if c.is_ascii() => slug.push(c),
            'đ' | 'Đ' => slug.push('d'),
            c => deunicode_char(c).unwrap_or("").chars().for_each(|a| slug.push(a)),
        }
    }
    slug.text
}

/// A slug being made: ASCII letters and digits, lowercased, with one `-` where anything
/// else stood between two of them.
struct Slug {
    text: String,
    pending_dash: bool,
}

impl Slug {
    /// Adds one ASCII character of the text (what `deunicode` makes of the others).
    fn push(&mut self, a: char) {
        if a.is_ascii_alphanumeric() {
            if self.pending_dash && !self.text.is_empty() {
                self.text.push('-');
            }
            self.pending_dash = false;
            self.text.push(a.to_ascii_lowercase());
        } else {
            self.pending_dash = true;
        }
    }
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

    proptest::proptest! {
        /// The slug is the text with its non-ASCII characters as deunicode writes them (`đ`
        /// as `d`), lowercased, its runs of anything but ASCII letters and digits made one
        /// `-`, none at the ends (the old `slugify`, which allocated a string per character).
        #[test]
        fn a_slug_is_the_ascii_words_of_the_text_joined_by_dashes(text in "[a-zA-Z0-9 ,.!\\-\\u{7f}đĐăâêôơưáàạảãếệờữ\u{0300}\u{0323}\u{4e00}\u{1f600}]{0,30}") {
            let ascii: String = text
                .chars()
                .map(|c| match c {
                    c if c.is_ascii() => c.to_string(),
                    'đ' | 'Đ' => "d".to_string(),
                    c => deunicode::deunicode_char(c).unwrap_or("").to_string(),
                })
                .collect();
            let words: Vec<String> = ascii
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            proptest::prop_assert_eq!(slugify(&text), words.join("-"));
        }
    }
}
