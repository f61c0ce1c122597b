# The two commands of the README's quick start; both install what they need.
.PHONY: demo test
demo:
	scripts/demo.sh
test:
	scripts/test.sh
