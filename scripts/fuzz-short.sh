#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time (FUZZTIME, default
# 5s). Targets are discovered with `go test -list`, so new ones are picked up
# automatically.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-5s}"

# `go test -list` prints each package's matching names, then "ok  PKG ...".
targets="$(go test -list '^Fuzz' ./... | awk '
  /^Fuzz/ { names[n++] = $1; next }
  /^ok[ \t]/ { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }
')"

if [ -z "$targets" ]; then
  echo "fuzz-short: no fuzz targets found"
  exit 0
fi

count=0
while read -r pkg name; do
  echo "fuzz-short: $pkg $name (-fuzztime $fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
  count=$((count + 1))
done <<< "$targets"
echo "fuzz-short: $count fuzz target(s) passed"
