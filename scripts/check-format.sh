#!/usr/bin/env bash
# Fails when clang-format would change any C++ file (.clang-format is the style).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'bench/*.h')
clang-format --dry-run --Werror $files
echo "check-format: $(echo "$files" | wc -w) files formatted"
