#!/usr/bin/env python3
"""Save-to-reload time of the author preview (`hoclieu serve`) on the generated corpus.

    python3 bench/serve_preview.py [--lessons 10000] [--edits 30]

Starts the preview on the corpus of examples/gen_corpus.rs, opens its event stream the
way a page does, then edits lessons one at a time: each edit adds a paragraph to a
lesson's body (a text-only edit) and the clock runs from just before the file is written
to the `reload` event (save -> reload), then to the end of fetching the page again, as
the browser does on that event (save -> page). Further series, timed to the `reload`
event: a lesson's title (front matter: the site is linked again and the pages that show
the title are rendered again), a new lesson, and its deletion. Files are restored at the
end. Traffic stays on 127.0.0.1. The server's output (with `HOCLIEU_TIMINGS=1`, the time
of each rebuild's stages) goes to bench/out/serve/preview-<lessons>.log.
"""

import argparse
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lessons", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--title-edits", type=int, default=3)
    parser.add_argument("--new-lessons", type=int, default=3)
    args = parser.parse_args()

    target = pathlib.Path(subprocess.run(
        ["bash", "-c", 'echo "${CARGO_TARGET_DIR:-target}"'], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip())
    if not target.is_absolute():
        target = ROOT / target
    subprocess.run(["cargo", "build", "--release", "--bin", "hoclieu", "--example", "gen_corpus"],
                   cwd=ROOT, check=True)
    corpus = ROOT / "bench/out/serve" / f"preview-{args.lessons}"
    site = corpus / "hoclieu"
    if not (site / "book.toml").is_file():
        subprocess.run([str(target / "release/examples/gen_corpus"), "--lessons", str(args.lessons),
                        "--out", str(corpus), "--seed", "42"], check=True)
    lessons = sorted(p for p in (site / "content").glob("*/*.md") if p.name != "_index.md" and p.name.count(".") == 1)
    step = max(1, len(lessons) // max(1, args.edits))
    chosen = lessons[::step][: args.edits]

    started = time.perf_counter()
    log_path = ROOT / "bench/out/serve" / f"preview-{args.lessons}.log"
    server = subprocess.Popen([str(target / "release/hoclieu"), "serve", "--root", str(site), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "HOCLIEU_TIMINGS": "1"})
    address = None
    log = []
    for line in server.stdout:
        log.append(line)
        if "http://127.0.0.1:" in line:
            address = line.split("http://")[1].strip().rstrip("/")
            break
    if address is None:
        sys.exit("no URL printed:\n" + "".join(log))

    def drain():
        # a full pipe would stop the server
        with open(log_path, "w", encoding="utf-8") as out:
            out.writelines(log)
            for line in server.stdout:
                out.write(line)
                out.flush()

    threading.Thread(target=drain, daemon=True).start()
    first_build = time.perf_counter() - started
    host, port = address.split(":")

    events = socket.create_connection((host, int(port)))
    events.sendall(b"GET /_hoclieu/events HTTP/1.1\r\nHost: x\r\n\r\n")
    seen = b""
    while b": hoclieu preview" not in seen:
        seen += events.recv(4096)

    def wait_reload():
        nonlocal seen
        seen = b""
        while b"event: reload" not in seen:
            chunk = events.recv(4096)
            if not chunk:
                sys.exit("event stream closed")
            seen += chunk
            if b"event: problems" in seen:
                sys.exit("the edit produced problems:\n" + seen.decode("utf-8", "replace"))

    def fetch(path):
        with socket.create_connection((host, int(port))) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        assert data.startswith(b"HTTP/1.1 200"), data[:100]
        return data

    def url_of(lesson):
        return f"/vi/{lesson.parent.name}/{lesson.stem}/"

    originals = {p: p.read_text(encoding="utf-8") for p in chosen}
    text_reload, text_page = [], []
    title_reload, new_reload, delete_reload = [], [], []
    created = []
    try:
        for i, lesson in enumerate(chosen):
            fetch(url_of(lesson))
            time.sleep(0.2)
            t0 = time.perf_counter()
            lesson.write_text(originals[lesson] + f"\nĐoạn sửa số {i} để đo thời gian tải lại.\n", encoding="utf-8")
            wait_reload()
            t1 = time.perf_counter()
            page = fetch(url_of(lesson))
            t2 = time.perf_counter()
            assert f"Đoạn sửa số {i}".encode() in page, "the edit is not in the page"
            text_reload.append((t1 - t0) * 1000)
            text_page.append((t2 - t0) * 1000)
        for i, lesson in enumerate(chosen[: args.title_edits]):
            time.sleep(0.3)
            text = originals[lesson]
            t0 = time.perf_counter()
            lesson.write_text(text.replace('title = "', f'title = "Sửa {i} ', 1), encoding="utf-8")
            wait_reload()
            title_reload.append((time.perf_counter() - t0) * 1000)
        for i, lesson in enumerate(chosen[: args.new_lessons]):
            time.sleep(0.3)
            new = lesson.with_name(f"bai-moi-do-hieu-nang-{i}.md")
            text = originals[lesson].replace('title = "', f'title = "Bài mới {i} ', 1)
            t0 = time.perf_counter()
            new.write_text(text, encoding="utf-8")
            created.append(new)
            wait_reload()
            new_reload.append((time.perf_counter() - t0) * 1000)
            fetch(url_of(new))
        for new in list(created):
            time.sleep(0.3)
            t0 = time.perf_counter()
            new.unlink()
            created.remove(new)
            wait_reload()
            delete_reload.append((time.perf_counter() - t0) * 1000)
    finally:
        for lesson, text in originals.items():
            lesson.write_text(text, encoding="utf-8")
        for new in created:
            new.unlink()
        time.sleep(0.5)
        rss = "?"
        try:
            for line in open(f"/proc/{server.pid}/status"):
                if line.startswith("VmHWM"):
                    rss = f"{int(line.split()[1]) // 1024} MB"
        except OSError:
            pass
        server.terminate()
        server.wait()

    def summary(values):
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
        return f"median {statistics.median(values):.0f} ms, p90 {p90:.0f} ms, max {values[-1]:.0f} ms (n={len(values)})"

    print(f"corpus: {args.lessons} lessons; first build and start: {first_build:.1f} s; preview peak RSS {rss}")
    print(f"text edit, save -> reload event: {summary(text_reload)}")
    print(f"text edit, save -> page fetched: {summary(text_page)}")
    if title_reload:
        print(f"title edit, save -> reload event: {summary(title_reload)}")
    if new_reload:
        print(f"new lesson, save -> reload event: {summary(new_reload)}")
    if delete_reload:
        print(f"deleted lesson, delete -> reload event: {summary(delete_reload)}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; server log: {log_path}")


if __name__ == "__main__":
    main()
