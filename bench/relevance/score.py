"""Scores bench/relevance/queries.toml: see bench/relevance.sh. Arguments: the hoclieu
binary, the repository root, the built site."""
import json, os, statistics, subprocess, sys, tomllib, unicodedata

hoclieu, root, public = sys.argv[1:4]
queries = tomllib.load(open(os.path.join(root, "bench/relevance/queries.toml"), "rb"))["query"]
TONES = "\u0300\u0301\u0303\u0309\u0323"


def toneless(text):
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in nfd if not unicodedata.combining(c))).replace("đ", "d").replace("Đ", "D")


def other_tone_placement(text):
    """hòa <-> hoà, khỏe <-> khoẻ, thủy <-> thuỷ: in an open syllable oa, oe, uy (not qu)."""
    words = []
    for word in text.split(" "):
        d = unicodedata.normalize("NFD", word)
        low = d.lower()
        for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
            for tone in TONES:
                new, old = first + tone + second, first + second + tone
                if low.endswith(new) and not low.endswith("q" + new):
                    d = d[: -len(new)] + d[-len(new)] + d[-len(new) + 2] + tone
                elif low.endswith(old) and not low.endswith("q" + old):
                    d = d[: -len(old)] + d[-len(old)] + tone + d[-len(old) + 1]
        words.append(unicodedata.normalize("NFC", d))
    return " ".join(words)


FORMS = {
    "diacritics": lambda q: unicodedata.normalize("NFC", q),
    "none": toneless,
    "NFD": lambda q: unicodedata.normalize("NFD", q),
    "other tone": other_tone_placement,
}


def cli(query):
    out = subprocess.run([hoclieu, "search", "--root", root, "--limit", "10", query], capture_output=True, text=True, check=True).stdout
    return [line.split("  [vi/")[1][:-1] for line in out.splitlines() if "  [vi/" in line]


def received(f):
    br = os.path.join(public, f + ".br")
    return os.path.getsize(br if os.path.exists(br) else os.path.join(public, f + ".gz"))


# another version's browser code, to compare (its query.js and search.js)
QUERY_JS = os.environ.get("QUERY_JS", os.path.join(root, "tests/fixtures/search/query.js"))
SEARCH_JS = os.environ.get("SEARCH_JS", os.path.join(root, "themes/default/static/search.js"))


def browser(query):
    line = subprocess.run(
        ["node", QUERY_JS, SEARCH_JS, public, "vi"],
        input=query + "\t-1\t-1\t\t10\n", capture_output=True, text=True, check=True).stdout
    answer = json.loads(line)
    return [r[1] for r in answer["results"]], sum(received(f) for f in answer["loaded"])


def scores(found, relevant):
    recall = len(set(found[:5]) & set(relevant)) / len(relevant)
    rank = next((i + 1 for i, p in enumerate(found) if p in relevant), None)
    return recall, 1 / rank if rank else 0.0


changed = sum(other_tone_placement(q["text"]) != q["text"] for q in queries)
print(f"{len(queries)} queries, {len(FORMS)} forms ({changed} queries change with the other tone placement)")
print(f"{'form':<12} {'engine':<9} {'recall@5':>9} {'MRR':>6}")
misses, sizes = [], []
for form, make in FORMS.items():
    for engine in os.environ.get("ENGINES", "cli browser").split():
        r, m = [], []
        for q in queries:
            text = make(q["text"])
            if engine == "cli":
                found = cli(text)
            else:
                found, size = browser(text)
                sizes.append(size)
            recall, rr = scores(found, q["relevant"])
            r.append(recall)
            m.append(rr)
            if recall < 1 or rr < 1:
                misses.append(f"  {engine:<8} {form:<11} {q['text']!r}: {found[:5]}")
        print(f"{form:<12} {engine:<9} {statistics.mean(r):>9.3f} {statistics.mean(m):>6.3f}")
print(f"browser bytes per query (compressed index files): median {statistics.median(sizes):.0f}, max {max(sizes)}")
if misses:
    print("not perfect:")
    print("\n".join(misses))
