.PHONY: test bench bench-quick

# The README's test command.
test:
	bash scripts/test.sh

# Benchmarks against FastMCP 4 and the official SDK; writes benches/results/{RESULTS.md,chart.png,latest.json}.
bench:
	bash benches/run.sh

# One short round, to check the harness works (figures not for publishing).
bench-quick:
	bash benches/run.sh --quick
