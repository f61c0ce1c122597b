# The README's commands; each installs what it needs first.
.PHONY: demo test bench install dist
demo:
	scripts/demo.sh
# cargo tests, then PHPUnit in every test bed: PHP 8.2 + Laravel 10 (host), PHP 8.4 and
# 8.5 + Laravel 13 (Debian forky root). O365_TEST_PHP="8.2 8.4" runs a subset.
test:
	scripts/test.sh
# Builds a release for the php-config in PATH (or PHP_CONFIG=...), installs and enables it.
install:
	scripts/install.sh
# PIE-named release archives for every PHP of the beds + SHA256SUMS, each checked in its PHP.
dist:
	scripts/dist.sh
# Native driver vs the PHP-userland baseline vs the keep-alive floor (~10 min; not part of test).
bench:
	bench/run.sh
