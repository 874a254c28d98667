# The README's commands. Each target installs the project into .venv from its own files first.
PYTHON ?= python3
VENV ?= .venv
NB := $(VENV)/bin/newsbench
RUNS ?= runs

# Sample data: $NEWSBENCH_DATA_DIR, else ../shared/data when it exists.
NEWSBENCH_DATA_DIR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export NEWSBENCH_DATA_DIR
# Nothing may wait on a model hub that cannot be reached.
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test data-dir clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,onnx,train]'
	touch $@

data-dir:
	@if [ -z "$(NEWSBENCH_DATA_DIR)" ] || [ ! -d "$(NEWSBENCH_DATA_DIR)" ]; then \
	  echo "newsbench: no data folder found; set NEWSBENCH_DATA_DIR=/path/to/datasets (make looks for ../shared/data)" >&2; \
	  exit 2; fi

# Train a TF-IDF baseline on ISOT (datelines stripped), then evaluate it in-domain and on
# three external sets with per-group breakdowns.
demo: install data-dir
	$(NB) train --recipe tfidf-lr --data isot_samples --strip-datelines --out $(RUNS)/demo/tfidf-lr
	$(NB) evaluate --model $(RUNS)/demo/tfidf-lr --allow-pickle --heldout \
	  --data llmfake --data f3 --data fakenewsamt_celebrity --out $(RUNS)/demo
	@echo "demo report: $(RUNS)/demo/report.html (and report.md, results.json)"

test: install
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(RUNS) .pytest_cache
