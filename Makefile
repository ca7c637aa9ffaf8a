# The two commands of the README: `make demo` and `make test`. Each sets itself up first.
PY := .venv/bin/python
export KIVY_NO_ARGS := 1

.PHONY: setup demo test bench lint clean

setup:
	@bash tools/setup.sh

# With a display: the interactive window on emulated devices, with the developer panel.
# Without one: device tour, citizens' journeys on the flow engine, every screen rendered to out/demo/.
demo: setup
	@if [ -n "$$DISPLAY" ]; then $(PY) -m kiosk.cli.main ui --demo; else $(PY) -m kiosk.cli.main demo --out out/demo; fi

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

# Bench-only Debian packages (tools/apt-bench.txt: chromium for the UI comparison), installed once when missing.
bench: setup
	@missing=$$(for p in $$(grep -v '^\s*#' tools/apt-bench.txt | grep -v '^\s*$$'); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "bench: not root, cannot install $$missing (tools/apt-bench.txt); those comparisons are skipped"; \
	  else echo "bench: installing $$missing (tools/apt-bench.txt)"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi; fi
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# House rules, checked: ruff (pyproject [tool.ruff]) and mypy with the pydantic plugin over the product.
lint: setup
	@rc=0; $(PY) -m ruff check kiosk drivers screens || rc=1; $(PY) -m mypy kiosk drivers screens || rc=1; exit $$rc

clean:
	rm -rf out .pytest_cache
