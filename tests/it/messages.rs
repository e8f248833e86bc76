//! Messages in Vietnamese: a Vietnamese locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first
//! set and not empty) or `--lang vi` gives every error, hint, summary and `--help` in
//! Vietnamese; `--lang en` and other locales give English.

use crate::harness::{fixture_dir, Project};

/// The `path:line:col: severity: message` lines of stderr.
fn headlines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("content/") || l.starts_with("book.toml")).collect()
}

#[test]
fn a_vietnamese_locale_gives_errors_and_hints_in_vietnamese() {
    let project = Project::fixture("broken");
    let outcome = project.test(&["build"]).env("LANG", "vi_VN.UTF-8").code(1).any_stderr().run();
    let stderr = project.normalise(&outcome.stderr);
    // one diagnostic whole: message, line, caret, hint
    assert!(
        stderr.contains(concat!(
            "content/khoa/front-matter.md:5:9: lỗi: không có cấp độ \"kho\"\n",
            "  | level = \"kho\"\n",
            "  |         ^\n",
            "  gợi ý: dùng một trong các giá trị: co-ban, nang-cao, chuyen-sau\n",
        )),
        "{stderr}"
    );
    assert_eq!(
        headlines(&stderr),
        [
            "content/khoa/chua-dong.md:1:1: lỗi: phần đầu bài (front matter) mở bằng `+++` nhưng không được đóng",
            "content/khoa/front-matter.md:1:1: lỗi: thiếu `title` (tiêu đề)",
            "content/khoa/front-matter.md:2:1: lỗi: phần đầu bài có khóa lạ `titel`",
            "content/khoa/front-matter.md:3:23: lỗi: không có lĩnh vực \"an-toam\"",
            "content/khoa/front-matter.md:4:11: lỗi: không có nhóm đối tượng \"nguoi-dam\"",
            "content/khoa/front-matter.md:5:9: lỗi: không có cấp độ \"kho\"",
            "content/khoa/latin1.md:2:18: lỗi: tệp không được lưu theo bảng mã UTF-8",
            "content/khoa/lien-ket.md:8:5: lỗi: liên kết tới trang không tồn tại \"content/khoa/khong-co.md\"",
            "content/khoa/lien-ket.md:8:34: lỗi: không có đề mục \"#phan-mot-sai\" trong content/khoa/lien-ket.md",
            "content/khoa/lien-ket.md:9:4: lỗi: không có đề mục \"#cai-dat-sai\" trong content/khoa/dung.md",
            "content/khoa/lien-ket.md:11:1: lỗi: không tìm thấy hình ảnh \"content/khoa/thieu.png\"",
            "content/khoa/lien-ket.md:13:1: cảnh báo: không được dùng kiểu liên kết `javascript:`: liên kết sẽ hiện thành chữ thường",
            "content/khoa/lien-ket.md:13:37: lỗi: liên kết \"/vi/index.html\" bắt đầu bằng `/`",
            "content/khoa/lien-ket.md:15:1: cảnh báo: hình ảnh chưa có chú thích thay thế (alt)",
            "content/khoa/thoi-luong.md:5:12: lỗi: `duration` phải là một số nguyên, không phải văn bản \"mười\"",
            "content/khoa/toml-sai.md:2:25: lỗi: văn bản của `title` chưa được đóng: thiếu dấu ngoặc kép ở cuối",
            "content/khoa/yaml.md:5:8: lỗi: không có cấp độ \"kho-qua\"",
        ]
    );
    assert!(stderr.contains("  gợi ý: có phải ý bạn là \"an-toan\"?\n"), "{stderr}");
    assert!(
        stderr.ends_with("không tạo được trang web: 15 lỗi, 2 cảnh báo, trong <t> giây\n"),
        "the summary, with a decimal comma: {stderr}"
    );
    assert!(!project.path("public").exists());
}

#[test]
fn an_unescaped_quote_in_front_matter_is_explained_with_the_fix() {
    let project = Project::fixture("minimal");
    project.file(
        "content/an-toan/moi.md",
        "+++\ntitle = \"Bài \"mới\"\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n+++\nNội dung.\n",
    );
    project
        .test(&["--lang", "vi", "build"])
        .code(1)
        .stderr(concat!(
            "content/an-toan/moi.md:2:15: lỗi: văn bản của `title` bị kết thúc ở dấu `\"` thứ hai: dấu ngoặc bên trong văn bản đã đóng nó quá sớm\n",
            "  | title = \"Bài \"mới\"\"\n",
            "  |               ^\n",
            "  gợi ý: thêm dấu \\ trước mỗi dấu ngoặc kép bên trong văn bản: title = \"Bài \\\"mới\\\"\", hoặc đặt văn bản trong dấu nháy đơn: title = 'Bài \"mới\"'\n",
            "không tạo được trang web: 1 lỗi, 0 cảnh báo, trong <t> giây\n",
        ))
        .run();
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "content/an-toan/moi.md:2:15: error: the text of `title` ends at the second `\"`: a quote inside the text closes it early\n",
            "  | title = \"Bài \"mới\"\"\n",
            "  |               ^\n",
            "  hint: escape each quote inside the text as \\\": title = \"Bài \\\"mới\\\"\", or put the text in single quotes: title = 'Bài \"mới\"'\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
    // the fix the hint gives builds
    project.file(
        "content/an-toan/moi.md",
        "+++\ntitle = 'Bài \"mới\"'\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n+++\nNội dung.\n",
    );
    project.test(&["build"]).any_stderr().run();
}

#[test]
fn lang_en_overrides_the_locale_and_other_locales_give_english() {
    let project = Project::fixture("broken");
    let english = "content/khoa/front-matter.md:5:9: error: unknown level \"kho\"\n";
    for (env, args) in [
        (("LANG", "vi_VN.UTF-8"), &["--lang", "en", "build"][..]),
        (("LANG", "vi_VN.UTF-8"), &["--lang=en", "build"][..]),
        (("LANG", "C"), &["build"][..]),
        // LC_ALL comes first, whatever LANG says
        (("LC_ALL", "en_US.UTF-8"), &["build"][..]),
    ] {
        let outcome = project.test(args).env(env.0, env.1).env("LANG", env.1).code(1).any_stderr().run();
        assert!(outcome.stderr.contains(english), "{env:?} {args:?}: {}", outcome.stderr);
        assert!(outcome.stderr.contains("\nbuild failed: 15 errors, 2 warnings in "), "{}", outcome.stderr);
    }
    // LC_MESSAGES before LANG; --lang vi whatever the locale
    let outcome =
        project.test(&["build"]).env("LANG", "C").env("LC_MESSAGES", "vi_VN.UTF-8").code(1).any_stderr().run();
    assert!(outcome.stderr.contains("lỗi: không có cấp độ \"kho\""), "{}", outcome.stderr);
    let outcome = project.test(&["--lang", "vi", "build"]).env("LC_ALL", "C").code(1).any_stderr().run();
    assert!(outcome.stderr.contains("lỗi: không có cấp độ \"kho\""), "{}", outcome.stderr);
}

#[test]
fn help_is_in_vietnamese_under_a_vietnamese_locale() {
    let project = Project::fixture("minimal");
    project
        .test(&["build", "--help"])
        .env("LANG", "vi_VN.UTF-8")
        .stdout(concat!(
            "Tạo toàn bộ trang web vào thư mục đầu ra (mặc định: public/)\n",
            "\n",
            "Cách dùng: hoclieu build [OPTIONS]\n",
            "\n",
            "Tùy chọn:\n",
            "      --root <DIR>  Kho nội dung (thư mục có book.toml) [mặc định: .]\n",
            "      --out <DIR>   Nơi ghi trang web [mặc định: out_dir trong book.toml, \"public\"]\n",
            "      --drafts      Gồm cả các bài đánh dấu `draft = true`\n",
            "      --strict      Coi trang vượt ngân sách dung lượng là lỗi (không ghi gì ra)\n",
            "      --clean       Bỏ qua bộ nhớ đệm (.hoclieu-cache/build/): tạo lại mọi trang và ghi lại toàn bộ đầu ra\n",
            "  -h, --help        In trợ giúp\n",
        ))
        .run();
    let outcome = project.test(&["--help"]).env("LANG", "vi_VN.UTF-8").run();
    for line in [
        "Lệnh:\n",
        "  build         Tạo toàn bộ trang web vào thư mục đầu ra (mặc định: public/)\n",
        "  search        Tìm bài học ngay trong cửa sổ lệnh, gõ có dấu hay không dấu đều được\n",
        "Mã thoát: 0 là thành công, 1 là nội dung có lỗi, 2 là sai cách dùng hoặc lỗi môi trường.\n",
    ] {
        assert!(outcome.stdout.contains(line), "{line:?} in:\n{}", outcome.stdout);
    }
    // English otherwise, as clap writes it
    let outcome = project.test(&["--lang", "en", "build", "--help"]).env("LANG", "vi_VN.UTF-8").run();
    assert!(outcome.stdout.starts_with("Build the whole site into the output folder (default: public/)\n\nUsage: hoclieu build [OPTIONS]\n\nOptions:\n"), "{}", outcome.stdout);
    // `search --lang` is the content's language, not the messages'
    let outcome = project.test(&["search", "--help"]).run();
    assert!(outcome.stdout.contains("--lang <LANG>    Language to search"), "{}", outcome.stdout);
}

#[test]
fn the_summary_of_a_good_build_is_in_vietnamese() {
    let project = Project::fixture("minimal");
    let outcome = project.test(&["build"]).env("LC_ALL", "vi_VN.UTF-8").any_stderr().run();
    let stdout = project.normalise(&outcome.stdout);
    let summary =
        regex::Regex::new(r"^đã tạo \d+ trang trong <t> giây(, \d+ (cảnh báo|ghi chú))* → \./public \(\d+ tệp\)\n$")
            .unwrap();
    assert!(summary.is_match(&stdout), "{stdout}");
}

#[test]
fn mistakes_on_the_command_line_are_said_in_vietnamese_with_the_fix() {
    let project = Project::empty();
    project
        .test(&["--lang", "vi", "buidl"])
        .code(2)
        .stderr(concat!(
            "lỗi: không có lệnh `buidl`\n",
            "\n",
            "  có phải bạn muốn dùng `build`?\n",
            "\n",
            "Cách dùng: hoclieu [OPTIONS] <COMMAND>\n",
            "\n",
            "Xem thêm hướng dẫn: thêm `--help` vào lệnh.\n",
        ))
        .run();
    project
        .test(&["build", "--outt", "x"])
        .env("LANG", "vi_VN.UTF-8")
        .code(2)
        .stderr(concat!(
            "lỗi: không có tùy chọn `--outt`\n",
            "\n",
            "  có phải bạn muốn dùng `--out`?\n",
            "\n",
            "Cách dùng: hoclieu build --out <DIR>\n",
            "\n",
            "Xem thêm hướng dẫn: thêm `--help` vào lệnh.\n",
        ))
        .run();
    project
        .test(&["--lang", "vi", "pack", "--format", "tar"])
        .code(2)
        .stderr(concat!(
            "lỗi: `tar` không phải một giá trị của `--format <zip|zim>`: hãy dùng một trong zip, zim\n",
            "\n",
            "Xem thêm hướng dẫn: thêm `--help` vào lệnh.\n",
        ))
        .run();
    // in English, clap's own words
    project
        .test(&["buidl"])
        .code(2)
        .stderr(concat!(
            "error: unrecognized subcommand 'buidl'\n",
            "\n",
            "  tip: a similar subcommand exists: 'build'\n",
            "\n",
            "Usage: hoclieu [OPTIONS] <COMMAND>\n",
            "\n",
            "For more information, try '--help'.\n",
        ))
        .run();
}

#[test]
fn import_and_init_report_in_vietnamese() {
    let project = Project::empty();
    let book = fixture_dir("mdbook");
    let book = book.to_str().unwrap();
    let import = ["--lang", "vi", "import", "mdbook", book, "site", "--group", "hoc-sinh", "--domain"];
    project
        .test(&[&import[..], &["sang-tao-noi-dung", "--level", "co-ban"]].concat())
        .stdout("đã nhập \"Nhập môn Rust cho học sinh\" vào site: 7 bài học, 4 mục, 1 tệp\n")
        .stderr(concat!(
            "những chỗ không giữ được như bản gốc (4):\n",
            "noi-dung/SUMMARY.md:11: chương nháp \"Vòng lặp\": đã nhập với `draft = true`\n",
            "noi-dung/cai-dat.md:13: hình ảnh lấy từ trang web khác https://www.rust-lang.org/logos/rust-logo-512x512.png: đã đổi thành liên kết tới hình (trang phải xem được khi không có mạng)\n",
            "noi-dung/chuong-trinh-dau-tien/ham.md:27: liên kết hỏng bai-tap.md: không có chương này: đã đổi thành chữ thường\n",
            "noi-dung/tro-choi.md:4: chỉ thị mdBook {{#title Trò chơi đoán số}} không được hỗ trợ: đã bỏ đi\n",
        ))
        .run();
    // a refusal of the import, in Vietnamese too
    project
        .test(&[&import[..], &["an-toan"]].concat())
        .code(2)
        .stderr("lỗi: site: thư mục này không trống; hãy nhập vào một thư mục mới hoặc thư mục trống\n")
        .run();

    project
        .test(&["--lang", "vi", "init", "x"])
        .stdout("đã tạo kho nội dung trong x: 6 tệp; tạo trang web bằng lệnh `hoclieu build --root x`\n")
        .run();
    project
        .test(&["--lang", "vi", "init", "x"])
        .code(2)
        .stderr(
            "lỗi: x: đã có book.toml: `hoclieu init` chỉ tạo kho nội dung mới; hãy chạy lệnh trong một thư mục trống\n",
        )
        .run();
    project
        .test(&["--lang", "vi", "new", "lesson", "x/content/an-toan-tren-mang/mat-khau-manh.md", "--title", "A"])
        .code(2)
        .stderr("lỗi: x/content/an-toan-tren-mang/mat-khau-manh.md: tệp này đã có; hãy chọn tên khác\n")
        .run();
}

#[test]
fn refused_packs_and_a_refused_hash_are_explained_in_vietnamese() {
    let project = Project::empty();
    // a zip whose entry would land outside the folder
    let mut zip = zip::ZipWriter::new(std::fs::File::create(project.path("parent.zip")).unwrap());
    zip.start_file("../evil.txt", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, b"escaped").unwrap();
    zip.finish().unwrap();
    project
        .test(&["--lang", "vi", "unpack", "parent.zip", "out"])
        .code(2)
        .stderr("lỗi: parent.zip: không nhận tệp nén này: mục \"../evil.txt\" có tên không an toàn: đường dẫn có `.` hoặc `..`; chưa ghi tệp nào\n")
        .run();
    assert!(!project.path("out").exists() && !project.path("evil.txt").exists());
    // a ZIM file cut short after its magic number and version
    project.file("ngan.zim", b"ZIM\x04\x05\x00\x00\x00");
    project
        .test(&["--lang", "vi", "verify", "ngan.zim"])
        .code(2)
        .stderr("lỗi: ngan.zim: không nhận tệp ZIM này: tệp chỉ có 8 byte, quá ngắn so với một tệp ZIM (bị cắt cụt?); chưa ghi tệp nào\n")
        .run();
    // `translations --hash` of a file whose front matter is not closed: line and hint
    project.file("bai.md", "+++\ntitle = \"Bài\"\nNội dung.\n");
    project
        .test(&["--lang", "vi", "translations", "--hash", "bai.md"])
        .code(2)
        .stderr("lỗi: bai.md:1: phần đầu bài (front matter) mở bằng `+++` nhưng không được đóng; gợi ý: kết thúc phần đầu bài bằng một dòng chỉ có `+++`\n")
        .run();
    project
        .test(&["translations", "--hash", "bai.md"])
        .code(2)
        .stderr("error: bai.md:1: front matter opened with `+++` is never closed; hint: end the front matter with a line holding only `+++`\n")
        .run();
}
