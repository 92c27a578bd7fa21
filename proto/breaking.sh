#!/usr/bin/env bash
# buf breaking: v1 packages never break wire or source compatibility. The baseline is the first commit on
# main that had proto/ (override with HEADSTART_BREAKING_AGAINST=<ref>), so every later change is checked
# against everything ever released, not just the previous commit.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf
ref="${HEADSTART_BREAKING_AGAINST:-$(git log --reverse --format=%H -- proto/buf.yaml 2>/dev/null | head -n 1)}"
if [ -z "$ref" ] || ! git cat-file -e "$ref:proto/buf.yaml" 2>/dev/null; then
  echo "buf breaking: no committed proto/ to compare against yet; skipped"
  exit 0
fi
"$BUF" breaking proto --against ".git#ref=$ref,subdir=proto"
echo "buf breaking: no breaking change against $(git rev-parse --short "$ref")"
