# Two commands do all set-up: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench bench-cohort templates scenarios clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/readydocs build inputs/sample-intake.xlsx -o outputs

test: $(STAMP)
	$(BIN)/python -m pytest

# The inner loop: everything but the slow tests (property tests, LibreOffice and browser tests,
# tests that wait on purpose), spread over one process per CPU.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q -n auto

bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Every scenario of tests/scenarios/ into outputs/scenarios/, with PDFs when LibreOffice is installed.
scenarios: $(STAMP)
	$(BIN)/python scripts/render_scenarios.py outputs/scenarios

# What one more place costs a batch (N places against 100, --jobs 1), --jobs 2 against 1, memory per place.
N ?= 1000
bench-cohort: $(STAMP)
	$(BIN)/python bench/scaling.py $(N)

# Regenerate the default templates and the sample workbook from their sources.
templates: $(STAMP)
	$(BIN)/python scripts/make_templates.py
	$(BIN)/readydocs init inputs/sample-intake.xlsx --sample --force

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache
