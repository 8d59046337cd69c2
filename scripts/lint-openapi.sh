#!/usr/bin/env bash
# Lints the OpenAPI document with Redocly CLI from .tools (see `make deps`).
set -euo pipefail
cd "$(dirname "$0")/.."

spec=internal/web/api/openapi.json
if [ ! -f "$spec" ]; then
  echo "lint-openapi: $spec not found, skipping"
  exit 0
fi
redocly=.tools/node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
  echo "lint-openapi: $redocly missing; run 'make deps'" >&2
  exit 1
fi
# No network here: no telemetry, no update check.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
"$redocly" lint "$spec"
