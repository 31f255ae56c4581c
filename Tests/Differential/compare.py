#!/usr/bin/env python3
"""Differential test: FairdeskMail against Python's email package.

    compare.py --fairdesk PATH_TO_BINARY --corpus DIR [--seed N --count K]

With --seed and --count, first generates the corpus into DIR (gen_corpus.py).
Runs `PATH_TO_BINARY mail parse --json FILE...` on every DIR/*.eml (many files per
run), runs python_summary.py's reading of each file, compares the fields listed in
fields.py, classifies each disagreement with known_differences.py, prints
per-field counts and the first few disagreements of each kind, and ends with

    differential: N passed, M failed

(N = messages that agree or whose disagreements are all explained, M = the rest).
Exit status: 0 when M = 0, 1 when M > 0, 2 when the harness itself could not run.
"""

import argparse
import collections
import concurrent.futures
import difflib
import json
import multiprocessing
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fields  # noqa: E402
import known_differences  # noqa: E402
import python_summary  # noqa: E402

ARG_BYTES = 96 * 1024  # per invocation; far below Linux's limits


# ---------------------------------------------------------------------------
# Running both sides


def _python_one(path):
    with open(path, "rb") as f:
        data = f.read()
    return path, python_summary.summarize_safely(data, path, extended=True)


def run_python(paths, jobs):
    if jobs <= 1:
        return dict(map(_python_one, paths))
    with multiprocessing.Pool(jobs) as pool:
        return dict(pool.imap_unordered(_python_one, paths, chunksize=16))


def chunks(paths, max_files):
    cur, size = [], 0
    for p in paths:
        if cur and (len(cur) >= max_files or size + len(p) + 1 > ARG_BYTES):
            yield cur
            cur, size = [], 0
        cur.append(p)
        size += len(p) + 1
    if cur:
        yield cur


def _fairdesk_batch(binary, batch, timeout):
    """Returns ({path: summary}, {path: error}) for one batch of files."""
    cmd = [binary, "mail", "parse", "--json", *batch]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % timeout
    out = {}
    bad_lines = 0
    # Split on "\n" only: str.splitlines() would also split inside JSON strings that
    # hold U+0085, U+2028 and the like unescaped (valid JSON).
    for line in proc.stdout.decode("utf-8", "replace").split("\n"):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out[obj["file"]] = obj
        except (ValueError, KeyError, TypeError):
            bad_lines += 1
    if proc.returncode != 0 or bad_lines or len(out) != len(batch):
        why = "exit status %d" % proc.returncode
        if proc.returncode < 0:
            why = "killed by signal %d" % -proc.returncode
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if err:
            why += ": " + err[-1][:300]
        if bad_lines:
            why += "; %d lines of output were not JSON summaries" % bad_lines
        return out, why
    return out, None


def run_fairdesk(binary, paths, jobs, max_files, timeout):
    """{path: summary} and {path: error}. A failing batch is re-run file by file."""
    results, errors = {}, {}

    def work(batch):
        out, why = _fairdesk_batch(binary, batch, timeout)
        if why is None:
            return out, {}
        if len(batch) == 1:
            return {}, {batch[0]: why}
        res, errs = {}, {}
        for p in batch:
            o, e = work([p])
            res.update(o)
            errs.update(e)
        return res, errs

    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as ex:
        for out, errs in ex.map(work, list(chunks(paths, max_files))):
            results.update(out)
            errors.update(errs)
    for p in paths:
        if p not in results and p not in errors:
            errors[p] = "no summary printed for this file"
    return results, errors


# ---------------------------------------------------------------------------
# Reporting


def short(v, limit=300):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + "…"


def show_diff(py, fd, indent="      "):
    lines = []
    if isinstance(py, str) and isinstance(fd, str) and (len(py) > 200 or len(fd) > 200 or "\n" in py.rstrip("\n")):
        diff = list(difflib.unified_diff(py.splitlines(), fd.splitlines(), "python", "fairdesk", lineterm="", n=1))
        for l in diff[:24]:
            lines.append(indent + (l if len(l) <= 200 else l[:200] + "…"))
        if len(diff) > 24:
            lines.append(indent + "… (%d more diff lines)" % (len(diff) - 24))
        if not diff:
            lines.append(indent + "(line-wise equal; differ in line endings/trailing newline: python %s, fairdesk %s)"
                         % (short(py[-20:]), short(fd[-20:])))
    else:
        lines.append(indent + "python:   " + short(py))
        lines.append(indent + "fairdesk: " + short(fd))
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fairdesk", required=True, help="path to the fairdesk binary")
    ap.add_argument("--corpus", required=True, help="folder of .eml files (created with --seed/--count)")
    ap.add_argument("--seed", type=int, help="generate the corpus first with this seed")
    ap.add_argument("--count", type=int, help="number of messages to generate")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--batch", type=int, default=200, help="files per fairdesk invocation")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per fairdesk invocation")
    ap.add_argument("--show", type=int, default=3, help="disagreements shown per kind")
    ap.add_argument("--show-explained", type=int, default=1, help="examples shown per explanation")
    ap.add_argument("--report", help="write every disagreement as JSON lines to this file")
    args = ap.parse_args(argv)

    if (args.seed is None) != (args.count is None):
        ap.error("--seed and --count go together")
    binary = os.path.abspath(args.fairdesk)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("compare.py: not an executable: %s" % args.fairdesk, file=sys.stderr)
        return 2
    if args.seed is not None:
        import gen_corpus
        t = time.time()
        gen_corpus.main(["--seed", str(args.seed), "--count", str(args.count), "--out", args.corpus])
        print("generated %d messages (seed %d) in %s in %.1fs" % (args.count, args.seed, args.corpus, time.time() - t))
    corpus = os.path.abspath(args.corpus)
    paths = sorted(os.path.join(corpus, n) for n in os.listdir(corpus) if n.endswith(".eml"))
    if not paths:
        print("compare.py: no .eml files in %s" % corpus, file=sys.stderr)
        return 2
    manifest = fields.load_manifest(corpus)

    t = time.time()
    fd, fd_errors = run_fairdesk(binary, paths, args.jobs, args.batch, args.timeout)
    t_fd = time.time() - t
    if len(fd_errors) == len(paths):
        print("compare.py: fairdesk produced nothing usable; first error: %s" % next(iter(fd_errors.values())), file=sys.stderr)
        return 2
    t = time.time()
    py = run_python(paths, args.jobs)
    t_py = time.time() - t
    print("%d messages; fairdesk %.1fs, python %.1fs" % (len(paths), t_fd, t_py))

    agree = collections.Counter()
    explained = collections.Counter()
    failed = collections.Counter()
    by_explanation = collections.defaultdict(list)  # name -> [(path, d)]
    unexplained = collections.defaultdict(list)  # field -> [(path, d)]
    passed, failures = 0, 0
    report = open(args.report, "w", encoding="utf-8") if args.report else None

    for path in paths:
        name = os.path.basename(path)
        if path in fd_errors:
            failures += 1
            failed["fairdesk-error"] += 1
            unexplained["fairdesk-error"].append((path, fd_errors[path]))
            if report:
                report.write(json.dumps({"file": name, "field": "fairdesk-error", "error": fd_errors[path]}) + "\n")
            continue
        case = fields.Case(path, py[path], fd[path], manifest.get(name))
        dis = [fields.Disagreement(case, f, i) for f, i in fields.disagreements(case.py, case.fd)]
        status = {}
        for d in dis:
            why = known_differences.explain(d)
            if why:
                by_explanation[why].append((path, d))
                status.setdefault(d.field, "explained")
            else:
                d.hint = known_differences.first_hint(d)
                unexplained[d.field].append((path, d))
                status[d.field] = "failed"
            if report:
                report.write(json.dumps({"file": name, "field": d.field, "index": d.index, "explanation": why,
                                         "hint": getattr(d, "hint", None),
                                         "python": d.py, "fairdesk": d.fd, "damage": case.damage}) + "\n")
        for f in fields.FIELDS:
            if f.startswith("attachments.") and f != "attachments.count" and "attachments.count" in status:
                continue  # not comparable part by part
            s = status.get(f)
            (failed if s == "failed" else explained if s == "explained" else agree)[f] += 1
        if "failed" in status.values():
            failures += 1
        else:
            passed += 1
    if report:
        report.close()

    print()
    print("%-26s %7s %9s %7s" % ("field", "agree", "explained", "FAILED"))
    for f in fields.FIELDS:
        print("%-26s %7d %9d %7d" % (f, agree[f], explained[f], failed[f]))
    if failed["fairdesk-error"]:
        print("%-26s %7s %9s %7d" % ("fairdesk-error", "", "", failed["fairdesk-error"]))

    if by_explanation:
        print("\nexplained disagreements (see known_differences.py):")
        for fn in known_differences.EXPLANATIONS:
            items = by_explanation.get(fn.__name__)
            if not items:
                continue
            msgs = len({p for p, _ in items})
            flds = sorted({d.field for _, d in items})
            print("  %-42s %-8s %5d messages  %s" % (fn.__name__, fn.verdict, msgs, ", ".join(flds)))
            for path, d in items[: args.show_explained]:
                print("    %s %s%s" % (os.path.basename(path), d.field, "" if d.index is None else "[%d]" % d.index))
                for l in show_diff(d.py, d.fd):
                    print(l)

    if unexplained:
        hints = collections.defaultdict(set)
        for field, items in unexplained.items():
            for path, d in items:
                if field != "fairdesk-error":
                    hints[getattr(d, "hint", None)].add(path)
        print("\nUNEXPLAINED disagreements by likely cause (hints in known_differences.py; still failures):")
        docs = {fn.__name__: " ".join((fn.__doc__ or "").split()) for fn in known_differences.HINTS}
        for name in [fn.__name__ for fn in known_differences.HINTS] + [None]:
            if hints.get(name):
                print("  %-52s %5d messages" % (name or "(no hint)", len(hints[name])))
                if name:
                    print("      " + docs[name][:300])
        print("\nUNEXPLAINED disagreements (first %d of each kind):" % args.show)
        for field in ["fairdesk-error"] + fields.FIELDS:
            items = unexplained.get(field)
            if not items:
                continue
            print("  == %s: %d messages ==" % (field, len({p for p, _ in items})))
            # show one example per hint first, then the rest
            seen, ordered = set(), []
            for path, d in items:
                if getattr(d, "hint", None) not in seen:
                    seen.add(getattr(d, "hint", None))
                    ordered.append((path, d))
            ordered += [x for x in items if x not in ordered]
            for path, d in ordered[: args.show]:
                name = os.path.basename(path)
                dmg = (manifest.get(name) or {}).get("damage") or []
                if field == "fairdesk-error":
                    print("    %s: %s" % (path, d))
                    continue
                print("    %s %s%s  damage=%s  hint=%s" % (path, field, "" if d.index is None else "[%d]" % d.index, dmg,
                                                          getattr(d, "hint", None)))
                for l in show_diff(d.py, d.fd):
                    print(l)

    print()
    print("differential: %d passed, %d failed" % (passed, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
