#!/usr/bin/env bash
# CI entry for the differential test of FairdeskMail against Python's email package.
#
#   Tests/Differential/run.sh PATH_TO_FAIRDESK
#
# Builds nothing: PATH_TO_FAIRDESK is an already built `fairdesk` binary. Generates
# 3,000 messages with seed 2026 into a temporary folder, runs compare.py, and ends
# with `differential: N passed, M failed`; exits non-zero when M > 0.
# Set KEEP_CORPUS=DIR to generate into DIR and keep it (plus report.jsonl) for a look.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 PATH_TO_FAIRDESK" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
SEED=2026
COUNT=3000

if [ -n "${KEEP_CORPUS:-}" ]; then
    WORK=$KEEP_CORPUS
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/fairdesk-differential.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
rm -f "$WORK"/corpus/*.eml 2>/dev/null

python3 "$HERE/compare.py" --fairdesk "$BIN" --corpus "$WORK/corpus" --seed "$SEED" --count "$COUNT" \
    --report "$WORK/report.jsonl"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    echo "run.sh: the differential harness could not run (compare.py exit status $rc)" >&2
    echo "differential: 0 passed, $COUNT failed"
    exit 1
fi
exit $rc
