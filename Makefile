# TrainHub tasks. `make demo` and `make test` are the README's Quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export TRAINHUB_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/demo.sqlite

.PHONY: install demo run test test-postgres browser-deps journeys clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'

demo: install
	mkdir -p instance
	$(BIN)/flask --app trainhub seed-demo --if-empty
	$(BIN)/flask --app trainhub run --host 127.0.0.1 --port 5000

run: install
	$(BIN)/flask --app trainhub run --host 127.0.0.1 --port 5000

browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "Chromium could not be installed: browser journeys will be skipped."

test: install browser-deps
	$(BIN)/python -m pytest -q

# The browser journeys alone (screenshots in test-artifacts/browser/).
journeys: install browser-deps
	$(BIN)/python -m pytest -q -m browser tests/browser

clean:
	rm -rf $(VENV) instance/demo.sqlite .pytest_cache
