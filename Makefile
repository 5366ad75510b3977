# Steelman: `make demo` runs the product, `make test` runs what CI runs.
# Both set up everything on a fresh machine with only Python 3.11 and the package registries.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test lint typecheck pytest chromium train eval bench clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# torch (training and its tests only; the judge runs on ONNX) must be exactly 2.13.0, the local
# CPU build, installed before anything that pulls torch.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The server with a seeded sample discussion; prints its address and the demo moderator's login.
demo: install
	$(BIN)/steelman serve --demo

lint: install
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy

# The browser tests drive Debian's chromium through Playwright (never `playwright install`).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

# The npm Perspective client the drop-in is tested with (tests/clients/node), from its lockfile.
.PHONY: node-clients
node-clients:
	cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error

pytest: install chromium node-clients
	TEST_POSTGRES=require TEST_REQUIRE_DATA=1 $(BIN)/pytest -q

test: lint typecheck pytest

# Rebuild both bundled models (fine-tuning on 2 cores: about 40 minutes); the escalation model
# reads the judge's output, so it comes second.
train: install
	$(BIN)/steelman train --out src/steelman/models/judge
	$(BIN)/steelman train-escalation --out src/steelman/models/escalation

eval: install
	$(BIN)/steelman eval

# Speed and memory figures (printed, not asserted): judge, score, threads, server, forecast, Ray.
bench: install
	$(PY) benchmarks/bench_judge.py
	$(PY) benchmarks/bench_score.py
	$(PY) benchmarks/bench_threads.py
	$(PY) benchmarks/bench_server.py
	$(PY) benchmarks/bench_perspective.py
	$(PY) benchmarks/bench_forecast.py
	$(PY) benchmarks/bench_ray.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
