# Two entry points: `make run` (set up, run the baseline) and `make test` (set up, run all tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The tests run on TEST_WORKERS processes (pytest-xdist), a test file to a process, so that the
# ensembles a file's tests share are computed once; TEST_WORKERS=0 runs them in this process.
# Files are handed out in the order tests/conftest.py gives them (the long ones first), not
# xdist's own (the files of most tests first), which left a long file of few tests to the end.
TEST_WORKERS ?= 2
# One BLAS thread per test process: the processes already fill the cores, and the pools and Dask
# clusters some tests start add their own; BLAS's spinning threads would only compete with them.
PYTEST := OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile \
	--no-loadscope-reorder

.PHONY: setup run test test-fast lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/peninsula run baseline --runs 20 --seed 1 > /dev/null  # compiles the kernel into its cache
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/peninsula run baseline --runs 10000 --seed 2026 --out results/baseline

test: setup
	$(PYTEST)

test-fast: setup  # the inner loop: every test but the slow, browser and integration ones
	$(PYTEST) -m "not slow and not browser and not integration"

lint: setup
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) results
