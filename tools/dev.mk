# Local runs: each app under gunicorn with its local backend (see tools/dev.py).
# PORT=NNNN picks a dev-<app> port (defaults 8081-8084); data lives in .dev/.
.PHONY: dev dev-clean

dev: install ## Run all four apps locally on ports 8081-8084, one log stream (Ctrl-C stops)
	$(PY) -m tools.dev all

dev-clean: install ## Delete the local apps' data (.dev/)
	$(PY) -m tools.dev clean

dev-%: install ## Run one app locally under gunicorn with its backend (PORT=NNNN, Ctrl-C stops)
	$(PY) -m tools.dev $*
