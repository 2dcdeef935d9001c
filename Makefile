# Hotline — contact-center platform.
#   make run    build and start the demo center on http://127.0.0.1:8080 (SQLite under ./data)
#   make test   every test, on SQLite and on the local PostgreSQL, and the web app's
#               unit tests and end-to-end tests in headless Chromium
#   make bench  routing benchmarks (criterion + load example), then the call-path load
#               benchmark (bench/run.sh: sipp and hotline loadgen against a release server)

export CARGO_TARGET_DIR ?= $(HOME)/.cache/hotline-target
CARGO ?= cargo
NPM ?= npm

.PHONY: run test bench build lint fmt web web-test setup-run setup-test

# System packages (apt where possible, else the exact command to run).
setup-run:
	bash scripts/setup.sh run

setup-test:
	bash scripts/setup.sh test

run: setup-run web
	$(CARGO) run --release -p hotline -- serve --demo

build: web
	$(CARGO) build --release -p hotline

# The web app, built into web/dist (compiled into the binary).
web: web/node_modules/.package-lock.json
	cd web && $(NPM) run build

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund

test: setup-test web
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc
	$(MAKE) web-test

# Vitest, then the desktop end to end against the debug server in Chromium
# (screenshots in target/screenshots/).
web-test: web
	$(CARGO) build -p hotline
	cd web && $(NPM) test
	cd web && HOTLINE_BIN=$(CARGO_TARGET_DIR)/debug/hotline SCREENSHOTS=$(CURDIR)/target/screenshots node e2e/run.mjs

bench:
	$(CARGO) bench -p hotline-routing --bench routing
	$(CARGO) run --release -p hotline-routing --example routing_load
	bash bench/run.sh

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
