# Everything the project needs goes into .venv; system packages are named in README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# English for the visitor screens: kiosk_en.ts is the translators' file, the .qm is built.
TS := ui/i18n/kiosk_en.ts
QM := ui/i18n/kiosk_en.qm

.PHONY: venv demo test lint bench clean fuzz screenshots translations voice

venv: $(STAMP) $(QM)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(QM): $(TS) $(STAMP)
	$(BIN)/pyside6-lrelease -silent $(TS) -qm $(QM)

# After changing visitor wording: lupdate adds new Korean to the .ts (unfinished) and drops
# vanished lines; give them English (Qt Linguist, docs/ui.md), then run this again.
translations: $(STAMP)
	$(BIN)/python -m ui.i18n update
	$(BIN)/python -m ui.i18n release

demo: venv
	$(BIN)/kiosk demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# Codec property tests with 100k examples each (make test runs a few hundred).
fuzz: venv
	FUZZ_EXAMPLES=100000 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -p no:cacheprovider \
		-o timeout=3600 -q tests/devices/test_codec_properties.py

# Every visitor screen in Korean and English, portrait and landscape, for reviewers.
screenshots: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots docs/screenshots
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots docs/screenshots --landscape
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.admin.screenshots docs/screenshots/admin

# Re-render the spoken prompts (ui/voice/prompts) after a wording change; needs Debian's
# espeak-ng and sox. Only changed sentences are rendered; docs/voice.md has the details.
voice: venv
	$(BIN)/python -m ui.voice.build
	$(BIN)/python -m ui.voice.build --check

bench: venv
	@set -e; found=0; for f in bench/bench_*.py; do \
		[ -e "$$f" ] || continue; found=1; echo "== $$f"; $(BIN)/python "$$f"; done; \
	[ $$found = 1 ] || echo "bench/: no benchmarks yet"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache $(QM)
