#!/usr/bin/env bash
# Parse throughput: Fairdesk against Python's email package, on the same corpus.
#
#   Benchmarks/compare_parse.sh PATH_TO_FAIRDESK [CORPUS_DIR]
#
# PATH_TO_FAIRDESK: a release build (swift build -c release --product fairdesk;
# .build/release/fairdesk). CORPUS_DIR defaults to $TMPDIR/fairdesk-bench-corpus and
# is made with make_corpus.py when it has no corpus.json. Runs
# `fairdesk bench parse` and python_email_bench.py on DIR/mixed and on
# DIR/big-attachment.eml, prints both JSON lines and the Fairdesk/Python ratios.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 PATH_TO_FAIRDESK [CORPUS_DIR]" >&2
    exit 2
fi
FAIRDESK=$1
DIR=${2:-${TMPDIR:-/tmp}/fairdesk-bench-corpus}
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-3}

if [ ! -x "$FAIRDESK" ]; then
    echo "$0: not an executable: $FAIRDESK" >&2
    exit 2
fi
if [ ! -f "$DIR/corpus.json" ]; then
    echo "making the corpus in $DIR ..." >&2
    python3 "$HERE/make_corpus.py" --out "$DIR" >/dev/null
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Fairdesk: one process per corpus, so each peak RSS is its own.
"$FAIRDESK" bench parse --runs "$RUNS" "$DIR/mixed" | tee "$OUT/fd-mixed.txt" >&2
"$FAIRDESK" bench parse --runs "$RUNS" "$DIR/big-attachment.eml" | tee "$OUT/fd-big.txt" >&2
python3 "$HERE/python_email_bench.py" --runs "$RUNS" "$DIR" | tee "$OUT/py.txt" >&2

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]

def last_json(path, corpus=None):
    found = None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("{"):
            obj = json.loads(line)
            if corpus is None or obj.get("corpus") == corpus:
                found = obj
    if found is None:
        sys.exit("no JSON result in %s" % path)
    return found

print()
print("%-7s %-10s %10s %12s %10s %10s" % ("corpus", "tool", "MB/s cpu", "msg/s cpu", "wall s", "peak RSS"))
for corpus in ("mixed", "big"):
    fd = last_json(os.path.join(out, "fd-%s.txt" % corpus))
    py = last_json(os.path.join(out, "py.txt"), corpus)
    for name, r in (("fairdesk", fd), ("python", py)):
        print("%-7s %-10s %10.2f %12.1f %10.3f %8.0fMB" % (corpus, name, r["mb_per_s"], r["messages_per_s"],
                                                         r["best_wall_s"], r["peak_rss_mb"]))
    ratio = fd["mb_per_s"] / py["mb_per_s"] if py["mb_per_s"] else float("inf")
    print("%-7s fairdesk/python throughput ratio (CPU time): %.2fx; peak RSS ratio: %.2fx" % (
        corpus, ratio, fd["peak_rss_mb"] / py["peak_rss_mb"]))
    print(json.dumps({"corpus": corpus, "fairdesk_mb_per_s": fd["mb_per_s"], "python_mb_per_s": py["mb_per_s"],
                      "throughput_ratio": round(ratio, 3),
                      "fairdesk_peak_rss_mb": fd["peak_rss_mb"], "python_peak_rss_mb": py["peak_rss_mb"]}))
PY
