# The two commands of the README. Each does all set-up on a fresh machine first (.ci/bootstrap.sh).
.PHONY: demo up test bootstrap lint

bootstrap:
	bash .ci/bootstrap.sh

# The main job: the whole pipeline on shipped data with embedded defaults.
demo: bootstrap
	node libs/pipeline/dist/main.js

# The same local stack, left running in the foreground on the CLI's default ports until Ctrl-C, for the
# README's CLI commands in a second terminal (HEADSTART_HOME, HEADSTART_*_ADDR as for the CLI).
up: bootstrap
	node libs/cli/dist/main.js up

# The whole test suite: lint, proto checks, then every Jest test.
test: bootstrap lint
	pnpm exec jest

lint:
	pnpm run lint
	pnpm run gen:check
