# Set-up is two commands: `make run` then `make test`. Everything lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install data model model-samples gate bench mutate screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("linesift needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,peers,corpora,report,crawl,datatrove,ray]'
	touch $(STAMP)

install: $(STAMP)

## Clean the bundled example page with the bundled model and print it.
run: $(STAMP)
	$(BIN)/linesift predict datasets/example/northvalley-library.txt

## Run the linter, then the test suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

## Build line-labelled data from ../shared/corpora into datasets/built/ (not committed).
data: $(STAMP)
	$(BIN)/linesift datasets build --out datasets/built

## Retrain the bundled model (artifacts/linesift.joblib) on the real corpora (needs ../shared/corpora),
## with the bundled recipe (training/recipe.py: classifier, feature groups, corpus weights, folds);
## then the tests a refit can break (short pages, the CLI's brief, the Reuters example) before the gate.
model: data
	$(BIN)/linesift train datasets/built --out artifacts/linesift.joblib --recipe bundled
	$(BIN)/python -m pytest -q tests/test_decode.py tests/test_cli.py tests/test_shared_example.py
	$(BIN)/linesift dev gate datasets/built --raise-floors

## The model trained on our own samples only (no ../shared needed): a fallback for a bare clone.
model-samples: $(STAMP)
	$(BIN)/linesift train datasets/samples --out artifacts/linesift.joblib --model-type logreg --seed 0

## Re-run site-grouped CV and compare with the committed floors (artifacts/floors.json).
gate: $(STAMP)
	LINESIFT_GATE=1 $(BIN)/python -m pytest -q tests/test_gate.py

## Throughput and memory of `linesift predict --format jsonl`, beside jusText on the same lines.
bench: $(STAMP)
	$(BIN)/linesift dev bench

## Mutation testing (mutmut) of model/ and the training code that measures; prints the score per module.
mutate: $(STAMP)
	$(BIN)/linesift dev mutate

## PNGs of the review page and the evaluate report (headless chromium) in artifacts/screenshots/.
screenshots: $(STAMP)
	$(BIN)/linesift dev screenshots

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
