.PHONY: check test lint build golden bench
check: lint test
test:
	bash scripts/test -q
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
build:
	.venv/bin/casegraph build
golden:
	.venv/bin/python -m tests.refresh_golden
bench:
	.venv/bin/python benchmarks/bench_cli.py
