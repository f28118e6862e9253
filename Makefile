# omnisim — common tasks. `make demo` and `make test` are the README's two commands.
SWIFT ?= swift
APT_PACKAGES = libssh2-1-dev libxml2-dev libyaml-dev libxml2-utils openssh-server rsync valgrind time binutils
# The workplace's copy when present, else the copy shipped with the test fixtures.
JUNIT_XSD ?= $(firstword $(wildcard ../shared/junit/JUnit-windyroad.xsd) Tests/CoreTests/Fixtures/junit/JUnit-windyroad.xsd)

.PHONY: deps build demo test bench bench-check release clean

# Installs the system libraries and tools omnisim builds against and tests with (Debian, as root or via sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# Validates and rehearses the 2P1D sample on the simulator; writes reports/2p1d.xml.
demo: build
	$(SWIFT) run omnisim validate scenarios/2p1d.yml

# The whole test suite, then every sample scenario through validate and the JUnit gate.
test: deps
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	rm -rf reports/ci && mkdir -p reports/ci
	$(SWIFT) run omnisim validate --report-dir reports/ci scenarios/
	$(SWIFT) run omnisim gate reports/ci
	@if [ -f "$(JUNIT_XSD)" ]; then \
		out=$$(xmllint --noout --schema "$(JUNIT_XSD)" reports/ci/*.xml 2>&1) || { echo "$$out"; exit 1; }; \
		echo "$$(echo "$$out" | grep -c ' validates$$') reports valid against $(JUNIT_XSD)"; \
	else echo "note: $(JUNIT_XSD) not found; reports not checked against the JUnit schema"; fi

bench: deps
	$(SWIFT) build -c release
	.build/release/omnisim-bench scenarios/4p1d.yml

# Instruction counts and peak memory of whole validations, against the limits in bench/thresholds.
bench-check: deps
	scripts/bench-check

# One self-contained omnisim binary (Swift runtime and Foundation linked in) to copy to an operator's machine;
# it also starts faster than the dynamically linked build.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product omnisim --build-path .build/static
	@echo "built .build/static/release/omnisim"

clean:
	rm -rf .build reports/*.xml reports/*/
