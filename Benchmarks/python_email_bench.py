#!/usr/bin/env python3
"""Parse throughput of Python's `email` package: the baseline for `fairdesk bench parse`.

    python_email_bench.py DIR            # DIR made by make_corpus.py: mixed/ and big-attachment.eml
    python_email_bench.py PATH [PATH...] # any .eml files or folders, measured as one corpus
    options: --runs 3  --policy default|compat32  --json-only

The work per message is what Fairdesk's ingestion does: parse the bytes with
BytesParser, read the main header fields (Subject, From, To, Date), walk every part,
decode every leaf payload (get_payload(decode=True)), and decode the text/* leaves to
str with their charset. The corpus is read into memory first (as `fairdesk bench
parse` does); each corpus is measured in a fresh process so peak RSS is its own.

Reports, per corpus, the best of --runs runs: MB/s and messages/s by process CPU time
and by wall time, and peak RSS (resource.getrusage ru_maxrss). Prints a table, then
one JSON object per corpus on its own line, with the same keys as `fairdesk bench
parse` (tool, messages, bytes, best_wall_s, best_cpu_s, mb_per_s, messages_per_s,
peak_rss_mb, corpus_rss_mb) plus corpus, mb_per_s_wall, messages_per_s_wall.
MB = 10^6 bytes; mb_per_s and messages_per_s are by CPU time.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from email import policy as email_policy
from email.parser import BytesParser


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in names if n.endswith(".eml")]
        else:
            files.append(p)
    return sorted(files)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def work(parser, data):
    msg = parser.parsebytes(data)
    checksum = 0
    for name in ("subject", "from", "to", "date"):
        v = msg.get(name)
        if v is not None:
            checksum += len(str(v))
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        checksum += len(payload)
        if part.get_content_maintype() == "text":
            charset = part.get_content_charset() or "us-ascii"
            try:
                text = payload.decode(charset, errors="replace")
            except LookupError:
                text = payload.decode("utf-8", errors="replace")
            checksum += len(text)
    return checksum


def measure(paths, runs, policy_name):
    files = collect(paths)
    if not files:
        raise SystemExit("no .eml files in %s" % " ".join(paths))
    corpus = []
    for f in files:
        with open(f, "rb") as fh:
            corpus.append(fh.read())
    total = sum(len(c) for c in corpus)
    rss_before = peak_rss_mb()
    pol = email_policy.default if policy_name == "default" else email_policy.compat32
    parser = BytesParser(policy=pol)
    best_wall = best_cpu = float("inf")
    checksum = 0
    for _ in range(max(1, runs)):
        w0, c0 = time.perf_counter(), time.process_time()
        checksum = 0
        for data in corpus:
            checksum += work(parser, data)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    mb = total / 1e6
    return {
        "tool": "python-email",
        "policy": policy_name,
        "messages": len(corpus),
        "bytes": total,
        "best_wall_s": round(best_wall, 4),
        "best_cpu_s": round(best_cpu, 4),
        "mb_per_s": round(mb / best_cpu, 3),
        "messages_per_s": round(len(corpus) / best_cpu, 2),
        "mb_per_s_wall": round(mb / best_wall, 3),
        "messages_per_s_wall": round(len(corpus) / best_wall, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "corpus_rss_mb": round(rss_before, 1),
        "checksum": checksum,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--policy", choices=["default", "compat32"], default="default")
    ap.add_argument("--json-only", action="store_true", help="print only the JSON lines")
    ap.add_argument("--one", metavar="NAME", help=argparse.SUPPRESS)  # child process: measure paths as NAME
    args = ap.parse_args(argv)

    if args.one:
        r = measure(args.paths, args.runs, args.policy)
        r["corpus"] = args.one
        print(json.dumps(r, sort_keys=True))
        return 0

    if len(args.paths) == 1 and os.path.isdir(os.path.join(args.paths[0], "mixed")):
        d = args.paths[0]
        corpora = [("mixed", [os.path.join(d, "mixed")])]
        if os.path.exists(os.path.join(d, "big-attachment.eml")):
            corpora.append(("big", [os.path.join(d, "big-attachment.eml")]))
    else:
        corpora = [("corpus", args.paths)]

    results = []
    for name, paths in corpora:
        cmd = [sys.executable, os.path.abspath(__file__), "--one", name, "--runs", str(args.runs),
               "--policy", args.policy, *paths]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout.decode()
        results.append(json.loads(out.strip().splitlines()[-1]))

    if not args.json_only:
        print("python %s email (policy=%s), best of %d runs" % (sys.version.split()[0], args.policy, args.runs))
        print("%-8s %8s %9s %9s %10s %9s %10s %9s" % ("corpus", "messages", "MB", "MB/s cpu", "msg/s cpu",
                                                     "MB/s wall", "msg/s wall", "peak RSS"))
        for r in results:
            print("%-8s %8d %9.1f %9.2f %10.1f %9.2f %10.1f %7.0fMB" % (
                r["corpus"], r["messages"], r["bytes"] / 1e6, r["mb_per_s"], r["messages_per_s"],
                r["mb_per_s_wall"], r["messages_per_s_wall"], r["peak_rss_mb"]))
    for r in results:
        print(json.dumps(r, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
