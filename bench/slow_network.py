#!/usr/bin/env python3
"""Slow-network figure: first contentful paint and bytes transferred per page kind of the
shipped content, in headless Chromium emulating a poor mobile link (400 kbit/s down and
up, 400 ms round trip), each page loaded with an empty cache.

    cargo build --release && python3 bench/slow_network.py [--out public] [--runs 3]

Needs Debian's chromium and chromium-driver. The site is built with hoclieu, then served
from this machine (127.0.0.1) by a small server that sends the precompressed .br or .gz
file the browser accepts, as `hoclieu serve --static`, nginx gzip_static or brotli_static
would. Only the standard library is used.
"""
import argparse, http.server, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KBIT = 400
LATENCY_MS = 400
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
         ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(directory):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = os.path.normpath(urllib.request.url2pathname(self.path.split("?")[0])).lstrip("/")
            full = os.path.join(directory, path)
            if os.path.isdir(full):
                full = os.path.join(full, "index.html")
            if not full.startswith(directory) or not os.path.isfile(full):
                self.send_error(404)
                return
            accepted = self.headers.get("Accept-Encoding", "")
            encoding, body_file = None, full
            for enc, ext in (("br", ".br"), ("gzip", ".gz")):
                if enc in accepted and os.path.isfile(full + ext):
                    encoding, body_file = enc, full + ext
                    break
            with open(body_file, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(os.path.splitext(full)[1], "application/octet-stream"))
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Driver:
    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(["chromedriver", f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.call("GET", "/status")
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("chromedriver did not start")

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)["value"]

    def session(self, profile):
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=360,740", f"--user-data-dir={profile}"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": shutil.which("chromium") or "/usr/bin/chromium", "args": args}}}}
        return self.call("POST", "/session", caps)["sessionId"]

    def close(self):
        self.process.terminate()


MEASURE = """
const nav = performance.getEntriesByType('navigation')[0];
const paint = performance.getEntriesByName('first-contentful-paint')[0];
const resources = performance.getEntriesByType('resource');
return {fcp: paint ? paint.startTime : null,
        bytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
        html: nav.transferSize, requests: 1 + resources.length,
        hosts: [...new Set(resources.map(r => new URL(r.name).host))]};
"""


def measure(driver, url, runs):
    results = []
    for _ in range(runs):
        profile = tempfile.mkdtemp(prefix="hoclieu-slow-")
        session = driver.session(profile)
        try:
            driver.call("POST", f"/session/{session}/chromium/network_conditions", {"network_conditions": {
                "offline": False, "latency": LATENCY_MS,
                "download_throughput": KBIT * 1000 // 8, "upload_throughput": KBIT * 1000 // 8}})
            driver.call("POST", f"/session/{session}/url", {"url": url})
            for _ in range(100):
                result = driver.call("POST", f"/session/{session}/execute/sync", {"script": MEASURE, "args": []})
                if result["fcp"] is not None:
                    break
                time.sleep(0.05)
            results.append(result)
        finally:
            driver.call("DELETE", f"/session/{session}")
            shutil.rmtree(profile, ignore_errors=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "slow-site"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("chromium", "chromedriver"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install chromium chromium-driver")
    binary = os.path.join(ROOT, "target", "release", "hoclieu")
    subprocess.run([binary, "build", "--root", ROOT, "--out", args.out], check=True, stdout=subprocess.DEVNULL)
    site = os.path.realpath(args.out)
    pages = {"language choice": "index.html", "home": "vi/index.html"}
    courses = sorted(d for d in os.listdir(os.path.join(site, "vi")) if os.path.isfile(os.path.join(site, "vi", d, "ban-in", "index.html")))
    course = courses[0]
    lesson = sorted(d for d in os.listdir(os.path.join(site, "vi", course)) if d != "ban-in" and os.path.isdir(os.path.join(site, "vi", course, d)))[0]
    pages["course"] = f"vi/{course}/index.html"
    pages["lesson"] = f"vi/{course}/{lesson}/index.html"
    pages["course print page"] = f"vi/{course}/ban-in/index.html"

    server = serve(site)
    driver = Driver()
    try:
        print(f"# {KBIT} kbit/s down/up, {LATENCY_MS} ms latency, empty cache, median of {args.runs} runs; Chromium 360x740")
        print(f"{'page kind':<20} {'page':<55} {'FCP ms':>7} {'KB':>6} {'requests':>8}")
        for kind, path in pages.items():
            results = measure(driver, f"http://127.0.0.1:{server.server_port}/{path}", args.runs)
            foreign = {h for r in results for h in r["hosts"]} - {f"127.0.0.1:{server.server_port}"}
            if foreign:
                raise SystemExit(f"{path} loaded from other hosts: {foreign}")
            fcp = statistics.median(r["fcp"] for r in results)
            kb = statistics.median(r["bytes"] for r in results) / 1024
            print(f"{kind:<20} {path:<55} {fcp:>7.0f} {kb:>6.1f} {results[0]['requests']:>8}")
    finally:
        driver.close()
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
