# The two commands of the README. Each does all set-up on a fresh machine first (.ci/bootstrap.sh).
.PHONY: demo test bootstrap lint

bootstrap:
	bash .ci/bootstrap.sh

# The main job: the whole pipeline on shipped data with embedded defaults.
demo: bootstrap
	node libs/pipeline/dist/main.js

# The whole test suite: lint, proto checks, then every Jest test.
test: bootstrap lint
	pnpm exec jest

lint:
	pnpm run lint
	pnpm run gen:check
