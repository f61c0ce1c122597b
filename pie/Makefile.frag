# modules/o365.so from cargo (see config.m4). Rebuilt when a Rust source, a manifest or
# the lock file changes, so that `make && sudo make install` does not run cargo as root.
O365_SOURCES = $(shell find $(O365_WORKSPACE)/crates/core $(O365_WORKSPACE)/crates/ext -name '*.rs' -o -name Cargo.toml) \
	$(O365_WORKSPACE)/Cargo.toml $(O365_WORKSPACE)/Cargo.lock

$(phplibdir)/o365.so: $(O365_SOURCES) Makefile
	cd "$(O365_WORKSPACE)" && PHP="$(O365_PHP)" PHP_CONFIG="$(O365_PHP_CONFIG)" \
		"$(O365_CARGO)" build --locked --profile $(O365_CARGO_PROFILE) -p o365
	mkdir -p $(phplibdir)
	cp "$(O365_WORKSPACE)/target/$(O365_CARGO_PROFILE)/libo365.so" $@.tmp && mv $@.tmp $@
