#!/usr/bin/env bash
# One command from a fresh clone: installs the Debian packages, builds with warnings as errors,
# fuzzes the capture readers for a minute, and runs the whole test suite (unit and integration
# tests through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
bash scripts/build.sh ci
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
ctest --test-dir build/ci --output-on-failure -j "$(nproc)" --timeout 600
