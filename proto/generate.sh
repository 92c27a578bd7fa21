#!/usr/bin/env bash
# The one way to regenerate protobuf code: ts-proto TypeScript into libs/proto/src/gen and a descriptor
# set (for gRPC server reflection) into libs/proto/descriptor. Both are committed; `--check` regenerates
# into a scratch folder and fails if the committed copies differ (the test command runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf
GEN=libs/proto/src/gen
DESC=libs/proto/descriptor/headstart.binpb

# generate BASE: writes BASE/$GEN and BASE/$DESC (buf prepends -o to the template's out paths).
generate() {
  local base="$1"
  rm -rf "${base:?}/$GEN" && mkdir -p "$base/$GEN" "$(dirname "$base/$DESC")"
  "$BUF" generate proto --template proto/buf.gen.yaml -o "$base"
  "$BUF" build proto -o "$base/$DESC"
}

if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  if ! diff -r "$tmp/$GEN" "$GEN" || ! cmp -s "$tmp/$DESC" "$DESC"; then
    echo "generated protobuf code is stale: run 'pnpm gen' and commit the result" >&2
    exit 1
  fi
  echo "generated protobuf code is up to date"
else
  generate .
  echo "generated $GEN and $DESC"
fi
