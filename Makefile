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

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf out .pytest_cache
