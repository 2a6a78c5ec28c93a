# newsflow: `make run` installs and runs the DAG on the bundled sample; `make test` tests.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false

.PHONY: install run test test-fast lint fmt bench bench-queries rebuild-marts lineage-docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed  ## create .venv and install pinned requirements

run: install  ## run the newsflow_ingest DAG over data/sample (see newsflow.yaml)
	$(BIN)/python -m newsflow run

test: install  ## the whole test suite, end-to-end DAG runs included
	$(BIN)/python -m pytest

test-fast: install  ## everything but the end-to-end and Airflow-server DAG runs
	$(BIN)/python -m pytest -m "not e2e and not integration"

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
