#!/usr/bin/env bash
# buf breaking against the last commit on main (skipped, with a note, when there is no such commit yet).
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf
ref="${HEADSTART_BREAKING_AGAINST:-main}"
if ! git rev-parse -q --verify "$ref" >/dev/null 2>&1 || ! git cat-file -e "$ref:proto/buf.yaml" 2>/dev/null; then
  echo "buf breaking: no '$ref' commit with proto/ to compare against; skipped"
  exit 0
fi
# Compare against the commit before HEAD when HEAD is main itself, so CI on main checks the last change.
if [ "$(git rev-parse HEAD)" = "$(git rev-parse "$ref")" ] && git rev-parse -q --verify HEAD~1 >/dev/null 2>&1 \
  && git cat-file -e "HEAD~1:proto/buf.yaml" 2>/dev/null; then
  ref="HEAD~1"
fi
"$BUF" breaking proto --against ".git#ref=$ref,subdir=proto"
echo "buf breaking: no breaking change against $ref"
