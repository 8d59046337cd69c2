# Targets: deps, test, build, bench. `make test` works on a fresh Debian
# machine with only Go (and the machine's Node.js/npm): `deps` installs the
# rest.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

GO ?= go

.PHONY: deps test build bench vendor-htmx

HTMX_VERSION ?= 2.0.11

# Idempotent and quick when everything is present.
deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "deps: installing PostgreSQL (Debian package postgresql)"; \
	  SUDO=; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "deps: need root or sudo to install postgresql" >&2; exit 1; fi; \
	  fi; \
	  $$SUDO apt-get update; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "deps: installing Chromium for the browser tests (Debian package chromium)"; \
	  SUDO=; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "deps: need root or sudo to install chromium" >&2; exit 1; fi; \
	  fi; \
	  $$SUDO apt-get update; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi
	@if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then \
	  echo "deps: installing the NATS server the event delivery's broker tests run against (Debian package nats-server)"; \
	  SUDO=; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "deps: need root or sudo to install nats-server" >&2; exit 1; fi; \
	  fi; \
	  $$SUDO apt-get update; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nats-server; \
	fi
	@if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then \
	  echo "deps: installing HAProxy, the load balancer in front of three servers in the many-servers test (Debian package haproxy)"; \
	  SUDO=; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "deps: need root or sudo to install haproxy" >&2; exit 1; fi; \
	  fi; \
	  $$SUDO apt-get update; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy; \
	fi
	@if [ ! -f /usr/lib/postgresql/15/lib/citus.so ]; then \
	  if [ ! -x ../shared/vendor/citus/build ]; then \
	    echo "deps: Citus (for the tests on a distributed PostgreSQL) is missing and ../shared/vendor/citus is not beside this clone" >&2; exit 1; \
	  fi; \
	  echo "deps: building Citus 13.2.2 into Debian's PostgreSQL 15 for the tests on a coordinator and two workers (../shared/vendor/citus/build, 1-3 minutes)"; \
	  ../shared/vendor/citus/build; \
	fi
	@if ! command -v xmllint >/dev/null 2>&1; then \
	  echo "deps: installing xmllint to check the bank files against the ISO 20022 schemas (Debian package libxml2-utils)"; \
	  SUDO=; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "deps: need root or sudo to install libxml2-utils" >&2; exit 1; fi; \
	  fi; \
	  $$SUDO apt-get update; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libxml2-utils; \
	fi
	@if [ ! -d /usr/lib/python3/dist-packages/lxml ]; then \
	  echo "deps: installing lxml for the E-ARK validator that checks archive packages (Debian package python3-lxml)"; \
	  SUDO=; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	    else echo "deps: need root or sudo to install python3-lxml" >&2; exit 1; fi; \
	  fi; \
	  $$SUDO apt-get update; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-lxml; \
	fi
	@if ! python3 -c 'import pydantic; assert pydantic.VERSION.startswith("2")' >/dev/null 2>&1; then \
	  echo "deps: installing pydantic 2 for the E-ARK validator (pip)"; \
	  python3 -m pip install --user --quiet 'pydantic>=2,<3' \
	    || python3 -m pip install --user --quiet --break-system-packages 'pydantic>=2,<3'; \
	fi
	@if [ ! -d .tools/node_modules ] || [ .tools/package-lock.json -nt .tools/node_modules/.package-lock.json ]; then \
	  if ! command -v npm >/dev/null 2>&1; then \
	    echo "deps: installing Node.js and npm (Debian packages nodejs, npm)"; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm; \
	  fi; \
	  echo "deps: installing .tools (npm ci)"; \
	  npm ci --prefix .tools --no-audit --no-fund; \
	fi

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	bash scripts/fuzz-short.sh
	bash scripts/lint-openapi.sh
	bash scripts/browser-test.sh

build:
	$(GO) build -o bin/trygg ./cmd/trygg

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

# Refreshes the vendored htmx from npm (pinned major 2); see
# internal/web/static/VENDOR.md.
vendor-htmx:
	rm -rf .tools/htmx && mkdir -p .tools/htmx
	cd .tools/htmx && npm pack htmx.org@$(HTMX_VERSION) --silent >/dev/null && tar xzf htmx.org-$(HTMX_VERSION).tgz
	cp .tools/htmx/package/dist/htmx.min.js internal/web/static/htmx.min.js
