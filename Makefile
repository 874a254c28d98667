# The README's commands. Each target installs the project into .venv from its own files first.
PYTHON ?= python3
VENV ?= .venv
NB := $(VENV)/bin/newsbench
RUNS ?= runs

# Sample data: $NEWSBENCH_DATA_DIR, else ../shared/data when it exists, else the fetched cache.
NEWSBENCH_DATA_DIR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export NEWSBENCH_DATA_DIR
# Nothing may wait on a model hub that cannot be reached.
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test bench bench-data clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,hf,onnx,train,serve,ray]'
	touch $@

# The datasets a target reads, fetched unless $NEWSBENCH_DATA_DIR (or the cache) has them; each
# licence is shown and asked once, or ACCEPT_LICENCE=1.
ACCEPT := $(if $(ACCEPT_LICENCE),--accept-licence)

# The quickstart study: TF-IDF LR and RF and a fine-tuned MiniLM-L6 (also as ONNX int8), trained on
# ISOT with datelines stripped, evaluated in-domain and on five external sets (600-row samples),
# profiled on this CPU, compared in one report. A second run reuses the cache (runs/demo/cache.json).
# Datasets the study names that $NEWSBENCH_DATA_DIR lacks are fetched first (verified, normalised,
# cached in $NEWSBENCH_DATA_HOME).
demo: install
	$(NB) data get --study examples/quickstart.toml $(ACCEPT)
	$(NB) run examples/quickstart.toml --out $(RUNS)/demo
	@echo "study report: $(RUNS)/demo/report.html ($(RUNS)/demo/report.md)"

# Speed benchmarks (about an hour on 2 cores, measured). Agreement needs a fine-tuned model:
# BENCH_MODEL, else one is fine-tuned first (20-minute budget).
BENCH_MODEL ?= $(RUNS)/bench/minilm
bench: install bench-data $(BENCH_MODEL)/model.json
	$(VENV)/bin/python benchmarks/eval_throughput.py --agreement-model $(BENCH_MODEL) --repeats 2
	$(VENV)/bin/python benchmarks/arch_latency.py --threads 2 --queries 150
	$(NB) profile --arch mobilebert --texts llmfake --threads 1,2 --batch-sizes 1,8 --queries 200 \
	  --out $(RUNS)/bench/profile-mobilebert

bench-data: install
	$(NB) data get llmfake isot_samples $(ACCEPT)

$(RUNS)/bench/minilm/model.json:
	$(NB) train --recipe finetune --base minilm-l6 --data isot_samples --strip-datelines --max-length 256 \
	  --out $(RUNS)/bench/minilm

test: install
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(RUNS) .pytest_cache
