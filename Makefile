# The two commands of the README's quick start; both install what they need.
.PHONY: demo test bench
demo:
	scripts/demo.sh
test:
	scripts/test.sh
# Native driver vs the PHP-userland baseline vs the keep-alive floor (~10 min; not part of test).
bench:
	bench/run.sh
