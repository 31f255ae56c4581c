#!/usr/bin/env bash
# Builds the FairdeskMail libFuzzer target and fuzzes for $1 seconds (default 60), seeded
# with the test fixtures. Exits non-zero on any crash, hang (>10 s per input), or memory
# blow-up (>2 GB RSS). Crash inputs are kept in .ci/artifacts/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out" .ci/artifacts/fuzz
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name FairdeskMail \
  Sources/FairdeskMail/*.swift Fuzz/FairdeskMailFuzz.swift -o "$out/fuzz-mail"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
find Tests/FairdeskMailTests/Fixtures -name '*.eml' -size -200k -exec cp {} "$corpus"/ \;
"$out/fuzz-mail" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -artifact_prefix=.ci/artifacts/fuzz/ -print_final_stats=1 2>&1 | tail -n 25
