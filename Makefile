# callguard — build, run, test and benchmark on Debian 12 as root.
# Each target installs the Debian packages it needs when they are missing.

SWIFT        ?= swift
CONFIG       ?= release
POLICIES     ?= policies
FUZZ_SECONDS ?= 300
FUZZ_SHORT   ?= 30

BUILD_DEBS := libaudit-dev libyaml-dev libssl-dev librelp-dev pkg-config
TEST_DEBS  := $(BUILD_DEBS) auditd python3 podman runc docker.io containerd mmdebstrap rsyslog rsyslog-gnutls rsyslog-relp busybox-static openssl xz-utils iproute2 manpages-dev systemd
GEN_DEBS   := python3 manpages-dev
BENCH_DEBS := $(BUILD_DEBS) libauparse-dev xz-utils gcc

# Installs the named Debian packages that are not installed yet (idempotent).
define apt_ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

.PHONY: all deps deps-test deps-bench build run test unit-test golden fuzz fuzz-short bench bench-live bench-host bench-attribution clean syscall-catalogue images abi-table false-positives

all: build

deps:
	$(call apt_ensure,$(BUILD_DEBS))

deps-test:
	$(call apt_ensure,$(TEST_DEBS))

deps-bench:
	$(call apt_ensure,$(BENCH_DEBS))

build: deps
	$(SWIFT) build -c $(CONFIG)

## Runs the agent on the live kernel with the shipped policies; violations as JSON on stdout.
run: build
	./.build/$(CONFIG)/callguard run --policies $(POLICIES)

## Every test: unit, integration (real kernel, podman, rsyslogd) and a short fuzz run.
test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel
	$(MAKE) fuzz-short

unit-test: deps
	$(SWIFT) test --skip IntegrationTests

## Records the golden files from the current output (tests never write them); review with git diff.
golden: deps
	Scripts/record-golden.sh

## The parser fuzzer (libFuzzer + AddressSanitizer) for FUZZ_SECONDS.
fuzz: deps
	Scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-short: deps
	Scripts/fuzz.sh $(FUZZ_SHORT)

## Benchmarks: parser against libauparse and a C floor, allocation counts.
bench: deps-bench build
	Scripts/bench.sh

## Live audit benchmark (root): a uname() storm drained by a C floor reader and by AuditKit's reader.
bench-live: deps-bench
	$(call apt_ensure,auditd busybox-static podman runc)
	Scripts/bench-live.sh
	Scripts/bench-agent.sh

## Host cost (root): a host syscall mix without the agent, under `run` (default --rules auto) and `--rules system`, as ratios;
## and a guarded container's uname flood: agent CPU per SECCOMP record vs the C netlink reader, kernel lost.
bench-host: deps-bench
	$(call apt_ensure,auditd busybox-static podman runc python3)
	Scripts/bench-host.sh

## Attribution beside two runtimes (root; starts its own containerd and dockerd): a docker container (callguard-runc)
## and a podman one (the hook); attribution cost per event as ratios (the Attributor in process; `run` vs the C
## reader), and the time from a container's start to its first attributed violation (p50/p99, N/N attributed).
bench-attribution: deps-bench
	$(call apt_ensure,auditd busybox-static podman runc docker.io containerd python3)
	Scripts/bench-attribution.sh

## Real images from Debian packages (mmdebstrap; nginx, redis, postgresql, python3), cached, imported into podman.
## Not part of `test`: about 20 s per image on an idle machine (2 min under load), seconds when cached.
images:
	$(call apt_ensure,mmdebstrap podman)
	Scripts/build-images.sh --podman

## The false-positive check: each image's workloads (Scripts/workloads) under `callguard run` with the
## shipped policies; prints image x workload -> violations. MODE=hook (default), auto, system, or a
## comma list. Root, live audit; a few minutes per mode.
false-positives: build images
	CALLGUARD=./.build/$(CONFIG)/callguard Scripts/false-positives.sh --no-build $(if $(MODE),--mode $(MODE))

## Regenerates PolicyKit's syscall catalogue from syscalls(2) (manpages-dev) and the supplement.
syscall-catalogue:
	$(call apt_ensure,$(GEN_DEBS))
	Scripts/generate-syscall-catalogue.py

clean:
	rm -rf .build .build-fuzz Benchmarks/.build

## The ABI table of policies/README.md (every shipped policy on Linux 3.10 … 6.1), from `callguard abi`.
abi-table: deps
	$(SWIFT) build -c $(CONFIG)
	Scripts/abi-table.py ./.build/$(CONFIG)/callguard $(POLICIES) --write policies/README.md
