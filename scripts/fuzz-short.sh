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
  # The Go fuzzer sometimes ends a time-limited run with "context deadline
  # exceeded" while it is still minimising a new interesting input; that is
  # the fuzzer's own shutdown, not a failure of the target (a real failure
  # writes "Failing input written to"). Such a run is tried once more.
  for attempt in 1 2; do
    if out="$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1)"; then
      echo "$out" | tail -n 1
      break
    fi
    echo "$out"
    if [ "$attempt" = 2 ] || ! grep -q "context deadline exceeded" <<< "$out" || grep -q "Failing input written" <<< "$out"; then
      exit 1
    fi
    echo "fuzz-short: $name stopped by the fuzzer's own deadline; trying once more"
  done
  count=$((count + 1))
done <<< "$targets"
echo "fuzz-short: $count fuzz target(s) passed"
