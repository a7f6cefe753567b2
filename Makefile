# `make app` and `make test` set everything up on first use and reuse it after.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: app test index setup clean

app: index
	$(BIN)/streamlit run app.py

test: index
	$(BIN)/python -m pytest

# Builds the index from corpus/ if it is missing or stale; a no-op when it is fresh.
# A skipped file is reported and does not stop the app (exit 3 means "built, some files skipped").
index: $(STAMP)
	$(BIN)/tipsearch build --corpus corpus --index index || [ $$? -eq 3 ]

setup: $(STAMP)

# torch first, pinned: left to pip it would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar off "torch==2.13.0"
	$(BIN)/python -m pip install --progress-bar off -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) index/gen-* index/manifest.json index/question-encoder-*.onnx index/multilingual-*.onnx
