#!/usr/bin/env python3
"""Checks a corpus written by examples/gen_corpus.rs (standard library only).

Usage: bench/check_corpus.py [--real] DIR   (DIR holds hoclieu/, hugo/, mdbook/; --real for
a corpus made with `--corpus real`: lessons of 450-1400 words, PNG screenshots too)

For the hoclieu site: front matter has exactly the expected keys, domain and group ids
exist in book.toml and every group learns the lesson's first domain, every relative link
points at an existing file and every anchor at an existing heading id, every image exists
and is an SVG with width and height, text is NFC, lessons have 400-900 words. For mdBook:
SUMMARY.md lists every chapter. Prints one line per problem and exits 1 if any.
"""
import os
import re
import sys
import tomllib
import unicodedata

LESSON_KEYS = {"title", "summary", "domains", "groups", "level", "duration", "weight", "objectives"}
COURSE_KEYS = {"title", "summary", "weight"}
HOME_KEYS = {"title", "summary"}
LIMITS = (400, 900)  # words a lesson
LEVELS = {"co-ban", "nang-cao", "chuyen-sau"}
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.M)


def heading_id(text):
    text = text.lower().replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def split_front_matter(text):
    assert text.startswith("+++\n"), "no +++ front matter"
    end = text.index("\n+++\n", 3)
    return tomllib.loads(text[4:end]), text[end + 5 :]


def headings(body):
    """Heading ids of a body, ignoring fenced code."""
    ids = []
    in_code = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        m = None if in_code else HEADING.match(line)
        if m:
            ids.append(heading_id(m.group(2)))
    return ids


def main(root):
    problems = []
    say = problems.append
    hl = os.path.join(root, "hoclieu")
    book = tomllib.load(open(os.path.join(hl, "book.toml"), "rb"))
    domains = set(book["domains"])
    groups = {g: set(v["domains"]) for g, v in book["groups"].items()}
    if book["build"]["precompress"] is not True:
        say("book.toml: precompress is not true")

    files = {}
    for dirpath, _, names in os.walk(os.path.join(hl, "content")):
        for n in names:
            path = os.path.join(dirpath, n)
            files[os.path.normpath(path)] = path
    pages = {p: open(p, encoding="utf-8").read() for p in files if p.endswith(".md")}
    parsed = {}
    for path, text in pages.items():
        rel = os.path.relpath(path, root)
        if unicodedata.normalize("NFC", text) != text:
            say(f"{rel}: not NFC")
        try:
            fm, body = split_front_matter(text)
        except Exception as e:  # noqa: BLE001 - report and go on
            say(f"{rel}: front matter: {e}")
            continue
        parsed[path] = (fm, body)
        ids = headings(body)
        if len(ids) != len(set(ids)):
            say(f"{rel}: duplicate heading ids {sorted(i for i in ids if ids.count(i) > 1)}")
        name = os.path.basename(path)
        depth = len(os.path.relpath(path, os.path.join(hl, "content")).split(os.sep))
        expected = HOME_KEYS if depth == 1 else COURSE_KEYS if name == "_index.md" else LESSON_KEYS
        if set(fm) != expected:
            say(f"{rel}: keys {sorted(fm)} != {sorted(expected)}")
        if expected is not LESSON_KEYS:
            continue
        if not fm["domains"] or not set(fm["domains"]) <= domains:
            say(f"{rel}: bad domains {fm['domains']}")
        if not fm["groups"] or any(g not in groups or fm["domains"][0] not in groups[g] for g in fm["groups"]):
            say(f"{rel}: groups {fm['groups']} do not all learn {fm['domains'][0]}")
        if fm["level"] not in LEVELS:
            say(f"{rel}: bad level {fm['level']}")
        if not isinstance(fm["duration"], int) or not isinstance(fm["weight"], int):
            say(f"{rel}: duration/weight not integers")
        words = sum(1 for w in body.split() if any(c.isalnum() for c in w))
        if not LIMITS[0] <= words <= LIMITS[1]:
            say(f"{rel}: {words} words")
        if not re.fullmatch(r"[a-z0-9-]+\.md", name):
            say(f"{rel}: slug not plain ASCII")

    links = anchors = 0
    for path, (fm, body) in parsed.items():
        rel = os.path.relpath(path, root)
        for target in LINK.findall(body):
            dest, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(path), dest))
            if full not in files:
                say(f"{rel}: link target {target} does not exist")
                continue
            links += 1
            if dest.endswith(".png") and not open(full, "rb").read(8) == b"\x89PNG\r\n\x1a\n":
                say(f"{rel}: {dest} is not a PNG")
            if dest.endswith(".svg"):
                svg = open(full, encoding="utf-8").read()
                if not re.search(r'<svg[^>]*\swidth="\d+"[^>]*\sheight="\d+"', svg):
                    say(f"{rel}: {dest} lacks width/height")
            if anchor:
                anchors += 1
                if anchor not in headings(parsed[full][1]):
                    say(f"{rel}: anchor #{anchor} not a heading of {dest}")

    summary = open(os.path.join(root, "mdbook", "src", "SUMMARY.md"), encoding="utf-8").read()
    listed = set(re.findall(r"\]\(([^)]+\.md)\)", summary))
    src = os.path.join(root, "mdbook", "src")
    for dirpath, _, names in os.walk(src):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), src)
            if n.endswith(".md") and n != "SUMMARY.md" and rel not in listed:
                say(f"mdbook/src/{rel}: not in SUMMARY.md")

    for p in problems[:50]:
        print(p)
    lessons = sum(1 for fm, _ in parsed.values() if "level" in fm)
    print(
        f"checked {len(parsed)} hoclieu pages ({lessons} lessons), {links} links "
        f"({anchors} with anchors): {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--real"]:
        LIMITS = (450, 1400)
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    sys.exit(main(args[0]))
