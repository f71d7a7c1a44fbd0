#!/usr/bin/env bash
# One command from a fresh clone: installs the Debian packages, builds with warnings as errors,
# fuzzes the capture readers for a minute, and runs the whole test suite (unit and integration
# tests through ctest) under ASan+UBSan and then as built for release.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout_state() { git status --porcelain --untracked-files=all 2>/dev/null || true; }
before=$(checkout_state)
bash scripts/install-deps.sh
bash scripts/install-test-servers.sh
bash scripts/check-format.sh
bash scripts/build.sh ci
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer first...
bash scripts/build.sh asan
ctest --test-dir build/asan --output-on-failure -j "$(nproc)" --timeout 900
# ...then the release-like build CI counts.
ctest --test-dir build/ci --output-on-failure -j "$(nproc)" --timeout 600
# The suite must leave the checkout as it found it: a test that writes into the sources fails CI.
after=$(checkout_state)
if [ "$before" != "$after" ]; then
  echo "test.sh: the tests changed the checkout:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
