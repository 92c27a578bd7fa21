# The two commands of the README. Each does all set-up on a fresh machine first (.ci/bootstrap.sh).
.PHONY: demo up test bootstrap lint

# The set-up's output (package installs, the native build) goes to .headstart/logs/bootstrap.log, and all
# of it to the terminal when it fails: on success a person reads one line, then the job's own.
bootstrap:
	@mkdir -p .headstart/logs
	@start=$$(date +%s); \
	if bash .ci/bootstrap.sh > .headstart/logs/bootstrap.log 2>&1; then \
	  echo "✓ set-up  $$(( $$(date +%s) - start ))s  (log: .headstart/logs/bootstrap.log)"; \
	else status=$$?; cat .headstart/logs/bootstrap.log; echo "set-up failed (exit $$status)"; exit $$status; fi

# The main job: the whole pipeline on shipped data with embedded defaults.
demo: bootstrap
	@node libs/pipeline/dist/main.js

# The same local stack, left running in the foreground on the CLI's default ports until Ctrl-C, for the
# README's CLI commands in a second terminal (HEADSTART_HOME, HEADSTART_*_ADDR as for the CLI).
up: bootstrap
	@node libs/cli/dist/main.js up

# The whole test suite: lint, proto checks, then every Jest test.
test: bootstrap lint
	pnpm exec jest

lint:
	pnpm run lint
	pnpm run gen:check
