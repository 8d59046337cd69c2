#!/usr/bin/env bash
# Runs the browser tests (e2e/*.test.mjs: node:test, playwright-core, axe-core)
# against a fresh demo server: builds trygg, starts `serve --demo` on a free
# port with a new data folder, waits for /readyz, runs `node --test e2e/`
# with BASE_URL set, and always stops the server. Needs `make deps` (Debian's
# chromium and .tools/node_modules).
#
#   bash scripts/browser-test.sh                      # every test
#   bash scripts/browser-test.sh e2e/signin.test.mjs  # one file
#   E2E_GREP='profile' bash scripts/browser-test.sh   # tests whose name matches
#
# CHROMIUM names another browser binary (default /usr/bin/chromium).
# Failing tests leave a screenshot and the HTML in e2e/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "browser-test: Chromium not found at $chromium; run 'make deps' (installs Debian's chromium) or set CHROMIUM" >&2
  exit 1
fi
for f in .tools/node_modules/playwright-core/package.json .tools/node_modules/axe-core/axe.min.js; do
  if [ ! -f "$f" ]; then
    echo "browser-test: $f missing; run 'make deps'" >&2
    exit 1
  fi
done
if ! command -v node >/dev/null 2>&1; then
  echo "browser-test: node not found; run 'make deps'" >&2
  exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/trygg-e2e.XXXXXX")"
pid=
stop() {
  status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    # Graceful shutdown first; after 10 s, force it.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -f "$tmp/server.log" ]; then
    echo "browser-test: failed; the server's log follows" >&2
    echo "----- server log ($tmp/server.log) -----" >&2
    tail -n 80 "$tmp/server.log" >&2
    echo "----- end of server log -----" >&2
  fi
  # The test runner's summary of failures again, after the server's log,
  # so that it is the last thing a reader of a CI log sees.
  if [ "$status" != 0 ] && [ -f "$tmp/node.log" ] && grep -q 'failing tests:' "$tmp/node.log"; then
    echo "----- failing browser tests (repeated from above) -----" >&2
    sed -n '/failing tests:/,$p' "$tmp/node.log" | head -n 150 >&2
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$SECONDS
echo "browser-test: building trygg"
go build -o "$tmp/trygg" ./cmd/trygg

# A free port, chosen by the kernel; the tiny window before the server
# binds it is harmless here.
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"
mkdir -p "$tmp/data"
echo "browser-test: starting trygg serve --demo at $base"
"$tmp/trygg" serve --demo --data "$tmp/data" --addr "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!

# ready_now asks /readyz once (plain bash, so no curl is needed).
ready_now() (
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
  printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 5 status <&3 || exit 1
  [[ "$status" == "HTTP/1."?" 200"* ]]
) 2>/dev/null

# Loading the demo municipality takes a few seconds.
ready=
for _ in $(seq 1 600); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "browser-test: the server exited before it was ready" >&2
    exit 1
  fi
  if ready_now; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "browser-test: $base/readyz did not answer 200 within 60 s" >&2
  exit 1
fi
echo "browser-test: server ready after $((SECONDS - start)) s"

# The demo's past (two years of work for the analysis pages) is written
# after the server listens; the tests count on it, so wait for it.
written=
for _ in $(seq 1 1800); do
  if grep -q 'msg="demo past written"' "$tmp/server.log"; then
    written=1
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "browser-test: the server exited while writing the demo's past" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$written" ]; then
  echo "browser-test: the demo's past was not written within 180 s" >&2
  exit 1
fi
echo "browser-test: the demo's past written after $((SECONDS - start)) s"

# node runs each file as one test, so --test-timeout bounds a whole file
# (a journey file takes ~30 s, more on a busy machine); single steps are
# bounded by Playwright's own time limits (e2e/lib.mjs).
args=(--test --test-reporter=spec --test-timeout=120000 --test-concurrency="${E2E_CONCURRENCY:-2}")
if [ -n "${E2E_GREP:-}" ]; then
  args+=("--test-name-pattern=$E2E_GREP")
fi
if [ $# -eq 0 ]; then
  set -- e2e/
fi
BASE_URL="$base" CHROMIUM="$chromium" node "${args[@]}" "$@" 2>&1 | tee "$tmp/node.log"
echo "browser-test: passed in $((SECONDS - start)) s"
