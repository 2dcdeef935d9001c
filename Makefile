# Hotline — contact-center platform.
#   make run    build and start the demo center on http://127.0.0.1:8080 (SQLite under ./data)
#   make test   every test, on SQLite and on the local PostgreSQL
#   make bench  routing benchmarks (criterion + load example), then the call-path load
#               benchmark (bench/run.sh: sipp and hotline loadgen against a release server)

export CARGO_TARGET_DIR ?= $(HOME)/.cache/hotline-target
CARGO ?= cargo

.PHONY: run test bench build lint fmt

run:
	$(CARGO) run --release -p hotline -- serve --demo

build:
	$(CARGO) build --release -p hotline

test:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

bench:
	$(CARGO) bench -p hotline-routing --bench routing
	$(CARGO) run --release -p hotline-routing --example routing_load
	bash bench/run.sh

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
