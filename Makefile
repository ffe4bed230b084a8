# Thin wrappers around the scripts (settings: scripts/install --help):
#   make install   [PREFIX=~/.local] [SYSTEMD_USER_DIR=…] [LOCKET_BINARIES=.build/debug]
#   make uninstall [PREFIX=~/.local]
# Variables given on the command line or in the environment reach the scripts
# through the environment (on the command line, write a $ as $$).

.PHONY: install uninstall

install:
	scripts/install

uninstall:
	scripts/uninstall
