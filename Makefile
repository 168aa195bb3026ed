# fkit — two commands on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fkit-installed

# Debian packages: libmagic for type detection; the peer tools the tests and benchmarks compare with.
APT_PACKAGES := libmagic1 sleuthkit hashdeep b3sum libimage-exiftool-perl ewf-tools libewf2 poppler-utils \
                zbar-tools minisign dc3dd mtools dosfstools e2fsprogs openssh-client sqlite3 tmux age \
                tesseract-ocr fonts-ocr-b \
                default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java

.PHONY: all deps pyc demo test bench typecheck clean

all: test

deps: $(STAMP)

$(STAMP): pyproject.toml setup.py scripts/install-system-deps.sh
	@bash scripts/install-system-deps.sh $(APT_PACKAGES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	@# setuptools warns on every editable install that a same-named folder may shadow the package: expected here
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

# Byte-compile fkit's own modules (an editable install is not compiled by pip, and with
# PYTHONDONTWRITEBYTECODE set every command would recompile them: ~30 ms per start). Incremental.
pyc: deps
	@$(BIN)/python -m compileall -q forensic_kit

demo: deps pyc
	@bash scripts/demo.sh

test: deps pyc
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: deps pyc
	$(BIN)/python bench/run_all.py

typecheck: deps
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) build dist *.egg-info demo-out
