# The two commands of the README: `make demo` and `make test`. Each sets itself up first.
PY := .venv/bin/python
export KIVY_NO_ARGS := 1

.PHONY: setup demo test bench bench-quick lint clean package

setup:
	@bash tools/setup.sh

# With a display: the interactive window on emulated devices, with the developer panel.
# Without one: device tour, citizens' journeys on the flow engine, every screen rendered to out/demo/.
demo: setup
	@if [ -n "$$DISPLAY" ]; then $(PY) -m kiosk.cli.main ui --demo; else $(PY) -m kiosk.cli.main demo --out out/demo; fi

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

# Every bench, then measured / goal / verdict per goal of bench/goals.toml (bench/run.py); fails on a broken bench
# (exception, missing result), not on a missed goal (BENCH_ARGS=--strict does). Bench-only Debian packages
# (tools/apt-bench.txt: chromium for the UI comparison), installed once when missing.
bench: setup
	@missing=$$(for p in $$(grep -v '^\s*#' tools/apt-bench.txt | grep -v '^\s*$$'); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "bench: not root, cannot install $$missing (tools/apt-bench.txt); those comparisons are skipped"; \
	  else echo "bench: installing $$missing (tools/apt-bench.txt)"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi; fi
	@$(PY) bench/run.py $(BENCH_ARGS)

# The same benches with the short arguments of bench/goals.toml [bench] (bench_idle 60 s instead of 600).
bench-quick:
	@$(MAKE) --no-print-directory bench BENCH_ARGS=--quick

# House rules, checked: ruff (pyproject [tool.ruff]) and mypy with the pydantic plugin over the product.
lint: setup
	@rc=0; $(PY) -m ruff check kiosk drivers screens || rc=1; $(PY) -m mypy kiosk drivers screens || rc=1; exit $$rc

# The Debian package (docs/packaging.md): build tools from tools/apt-package-build.txt, installed once when
# missing; dpkg-buildpackage on a clean export of the tree (tracked + untracked, unignored files) under
# out/package/src, so nothing is built inside the checkout; lintian must report no error. → out/package/*.deb
package:
	@missing=$$(for p in $$(grep -v '^\s*#' tools/apt-package-build.txt | grep -v '^\s*$$'); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "package: not root, cannot install $$missing (tools/apt-package-build.txt)" >&2; exit 1; fi; \
	  echo "package: installing $$missing (tools/apt-package-build.txt)"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@rm -rf out/package && mkdir -p out/package/src/yukuaiban-kiosk
	@git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read --warning=no-failed-read -cf - -T - 2>/dev/null \
	  | tar -xf - -C out/package/src/yukuaiban-kiosk
	cd out/package/src/yukuaiban-kiosk && dpkg-buildpackage -us -uc -b > ../build.log 2>&1 \
	  || { tail -40 ../build.log >&2; echo "package: dpkg-buildpackage failed (out/package/src/build.log)" >&2; exit 1; }
	@mv out/package/src/*.deb out/package/
	lintian --fail-on error out/package/*.deb
	@ls -l out/package/*.deb

clean:
	rm -rf out .pytest_cache
