# Benchmarks (see tools/bench/__main__.py and its modules); results in bench/results/ (git-ignored),
# and the idle cost of the stacks (tools/cost.py).
# BENCH_ARGS="--apps shortener --duration 3" passes options on.
.PHONY: bench bench-server-configs
BENCH_ARGS ?=

bench: install ## Benchmark every app (and the article's Go shortener, if go is installed) against hello world: req/s, latency, CPU, targets, cold start, synth
	$(PY) -m tools.bench $(BENCH_ARGS)

bench-server-configs: install ## Compare gunicorn worker classes/workers/threads on one hot path (BENCH_ARGS="--apps ..." for others)
	$(PY) -m tools.bench --server-configs $(BENCH_ARGS)

.PHONY: cost
cost: install ## Print each stack's idle monthly cost on App Runner and ECS Express Mode, from its synthesized template
	$(PY) -m tools.cost
