# Thin wrappers around the scripts (each script's --help or header says more):
#   make install   [PREFIX=~/.local] [SYSTEMD_USER_DIR=…] [LOCKET_BINARIES=.build/debug]
#   make uninstall [PREFIX=~/.local]
#   make test                              the whole suite (the README's test command)
#   make soak      [CYCLES=100] [CLIENTS=8] crash durability: SIGKILL/restart under concurrent writers
#   make fuzz      [TARGET=] [SECONDS=60] [JOBS=1] libFuzzer, one target or each (scripts/fuzz --list; crash inputs: .build-fuzz/artifacts/)
#   make sanitize  [KIND=all|address|thread|ci] the whole suite under ASan+LSan / TSan (ci: the planned CI split)
#   make bench                             benchmarks: one table, Benchmarks/results/latest.json, BENCHMARKS.md
#   make bench-smoke                       every benchmark scenario at tiny sizes (what CI runs)
# Variables given on the command line or in the environment reach the scripts
# through the environment (on the command line, write a $ as $$).

.PHONY: install uninstall test soak fuzz sanitize bench bench-smoke

install:
	scripts/install

uninstall:
	scripts/uninstall

test:
	scripts/test

soak:
	scripts/soak --cycles $${CYCLES:-100} --clients $${CLIENTS:-8}

fuzz:
	scripts/fuzz $${TARGET:+--target $$TARGET} --seconds $${SECONDS:-60} --jobs $${JOBS:-1}

sanitize:
	scripts/sanitize $${KIND:-all}

bench:
	scripts/bench

bench-smoke:
	scripts/bench --smoke
