# needlepoint — one obvious entry point.
#   make run    set everything up, seed a demo clinic, print the logins and serve the API
#               (make run PORT=8101 serves on 8101, and links in messages point there too)
#   make consult  consult an example file and print the report
#   make test   set everything up, then lint, type-check, check import contracts and run the tests
#   make test-fast  the unit and knowledge tests only, lighter properties, no slow ones (< 1 min)
#   make test-deep  the slow tests at the full figures the issues set (CI runs it after make test)
#   make bench-analytics  the cohort analytics page over 10,000 synthetic series (p95 <= 200 ms)
#   make soak   the soak test: 10 minutes of mixed load with kills, on SQLite then PostgreSQL
#   make screenshots  save a PNG of every main page of the web app to docs/screenshots/
# Everything is installed from the lock file into .venv; nothing is assumed on the machine
# except python3 (3.11+). uv itself is pinned and bootstrapped into .tools.

PYTHON      ?= python3
UV_VERSION  := 0.13.9
TOOLS       := .tools
UV          := $(TOOLS)/bin/uv
VENV        := .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.synced-stamp
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Bytecode is compiled when the venv is synced, so no command compiles every module it imports
# on its first start (consult --json: 854 ms without, 588 ms with, issue 13).
export UV_COMPILE_BYTECODE := 1

EXAMPLE     ?= examples/01-proceed-rolling-boxcar-cheeks.yaml
APPOINTMENT ?= 2026-12-07T10:00
PORT        ?= 8000
# bench-scale's sizes (patients); the first is the growth baseline. 1M by hand: 10000,1000000
SCALE       ?= 10000,100000
DEMO_DIR    ?= var/demo
# Every link the server and the worker build starts with it (docs/settings.md); from PORT.
NEEDLEPOINT_PUBLIC_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run consult test test-fast test-deep fuzz check lint typecheck contracts pytest bench bench-analytics bench-scale soak docs fmt screenshots clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) pyproject.toml uv.lock tools/system-packages.sh Makefile
	bash tools/system-packages.sh
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

run: $(STAMP)
	NEEDLEPOINT_DATA_DIR=$(DEMO_DIR) $(BIN)/needlepoint demo --reset
	@echo "Serving needlepoint: web app http://127.0.0.1:$(PORT)/ and API http://127.0.0.1:$(PORT)/api/v1  (OpenAPI /api/v1/openapi.json, docs /api/v1/docs); links in messages start with $(NEEDLEPOINT_PUBLIC_URL). Ctrl-C stops it."
	NEEDLEPOINT_DATA_DIR=$(DEMO_DIR) NEEDLEPOINT_DEVELOPMENT=1 NEEDLEPOINT_PUBLIC_URL=$(NEEDLEPOINT_PUBLIC_URL) $(BIN)/needlepoint serve --port $(PORT)

consult: $(STAMP)
	$(BIN)/needlepoint consult $(EXAMPLE) --appointment $(APPOINTMENT)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/ruff check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck contracts

pytest: $(STAMP)
	$(BIN)/pytest -n 2 -q --dist worksteal

test: check pytest

# tests/unit holds the domain, knowledge and service tests (knowledge is tests/unit/knowledge).
test-fast: $(STAMP)
	NEEDLEPOINT_HYPOTHESIS_PROFILE=fast $(BIN)/pytest -n 2 -q --dist worksteal -m "not slow" tests/unit

# The stress, crash and state-machine tests at full scale (tests/depth.py); make test runs them
# at a quick scale.
test-deep: $(STAMP)
	NEEDLEPOINT_TEST_DEPTH=deep $(BIN)/pytest -n 2 -q --dist worksteal -m slow

# Schemathesis over every API operation (stateless as admin and clinician, and stateful) with
# 200 examples per operation, on SQLite and PostgreSQL (§2.7 IV-1 nightly figure; CI runs the
# same tests at 25 inside make test). Fixed seeds: a failure reproduces by rerunning this.
fuzz: $(STAMP)
	NEEDLEPOINT_FUZZ_EXAMPLES=200 $(BIN)/pytest -n 2 -q --dist loadgroup tests/e2e/test_api_fuzz.py

bench: $(STAMP)
	$(BIN)/python bench/consultations.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/scheduling.py
	$(BIN)/python bench/agenda.py
	$(BIN)/python bench/photos.py
	$(BIN)/python bench/workers.py
	$(MAKE) bench-scale

# PostgreSQL at 127.0.0.1 (or NEEDLEPOINT_SCALE_POSTGRES_URL); a scratch database per size.
bench-analytics: $(STAMP)
	$(BIN)/python bench/analytics.py

bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py --patients $(SCALE)

# ADR 0041: a mixed load for SOAK_SECONDS on each database while the server and the worker are
# SIGKILLed and started again; then nothing acknowledged lost, nothing double-booked, every due
# message delivered once, the audit chain verified. PostgreSQL at 127.0.0.1 (or
# NEEDLEPOINT_TEST_POSTGRES_URL), a scratch database. The deep tests run it for 30 s per database.
SOAK_SECONDS ?= 600
soak: $(STAMP)
	$(BIN)/python bench/soak.py --db both --seconds $(SOAK_SECONDS)

docs: $(STAMP)
	$(BIN)/python -c "from needlepoint.knowledge import files; print(files.snapshot_json(), end='')" > src/needlepoint/knowledge/data/snapshot.json
	$(BIN)/needlepoint knowledge --markdown > docs/knowledge-tables.md
	$(BIN)/python -c "from needlepoint.entrypoints.cli.settings_doc import settings_markdown; print(settings_markdown(), end='')" > docs/settings.md

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache .hypothesis
