# newsflow: `make run` installs and runs the DAG on the bundled sample; `make test` tests.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false
SHELL := bash
.SHELLFLAGS := -o pipefail -c  # a failing pip fails the recipe even when its output is piped
# pip's output reduced to a line every 25 packages, so a long install shows that it moves.
PIP_PROGRESS := awk '/^(Collecting|Processing) / { n++; if (n % 25 == 0) { print "  resolved " n " packages..."; fflush() } } \
	/^Installing collected packages/ { print "  installing " n " packages (the longest step)..."; fflush() } \
	/^Successfully installed/ { print "  installed" }'

.PHONY: install run test test-fast lint fmt bench bench-queries rebuild-marts lineage-docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@echo "newsflow: installing the pinned requirements into $(VENV): about 5 minutes on a fresh machine, once"
	$(BIN)/pip install --progress-bar off -r requirements-dev.txt | $(PIP_PROGRESS)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed  ## create .venv and install pinned requirements

run: install  ## run the newsflow_ingest DAG over data/sample (see newsflow.yaml)
	$(BIN)/python -m newsflow run

# On every core (pytest-xdist); a test file stays on one worker, so its module fixtures (a DAG
# run, a GX checkpoint) are built once; the slowest kinds of files go first (tests/conftest.py),
# in that order. --durations: where the time went.
XDIST := -n auto --dist loadfile --no-loadscope-reorder --durations=15

test: install  ## the whole test suite, end-to-end DAG runs included
	$(BIN)/python -m pytest $(XDIST)

test-fast: install  ## unit, SQL, GX and report tests: no DAG runs, no whole runs of the steps
	$(BIN)/python -m pytest -m "not e2e and not integration and not pipeline and not layers" $(XDIST)

lint: install  ## ruff (Python) and sqlfluff (sql/, duckdb dialect), as the pre-commit hooks run them
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint sql/ --processes 1 --disable-progress-bar

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix sql/ --processes 1 --disable-progress-bar

rebuild-marts: install  ## rebuild every mart from raw (dbt --full-refresh) and publish the snapshot
	$(BIN)/python -m newsflow.warehouse.transform --full-refresh

lineage-docs: install  ## dbt's lineage docs of the SQL layers: var/lineage/index.html, offline
	$(BIN)/python -m newsflow.warehouse.transform --docs var/lineage

bench: install  ## enrich throughput on 2000 generated articles
	$(BIN)/python bench/throughput.py --articles 2000

bench-queries: install  ## a 10M-mention synthetic warehouse, then p50/p95 of every recipe and the report
	$(BIN)/python bench/synthetic_warehouse.py --mentions 10000000
	$(BIN)/python bench/recipes.py --repeat 20

clean:
	rm -rf var .airflow .pytest_cache .ruff_cache
