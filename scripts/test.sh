#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: installs packages, builds the normal build
# (warnings as errors), checks the formatting and runs clang-tidy over src/ (scripts/lint.sh --tidy)
# and builds an ASan+UBSan build, and runs every test in both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-doc-citations.py
scripts/check-stage-order.py
scripts/check-stage-order.py --self-test >/dev/null
scripts/setup.sh build -DSTACKPRINT_WERROR=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
scripts/lint.sh --tidy build
(cd build && ctest --output-on-failure -j"$(nproc)") | tee build/ctest.log
scripts/check-no-skips.sh build/ctest.log
scripts/setup.sh build-asan -DSTACKPRINT_WERROR=ON -DSTACKPRINT_SANITIZERS=address,undefined \
  -DSTACKPRINT_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$(nproc)") |
  tee build-asan/ctest.log
# The sanitizer build installs no seccomp filter (io/sandbox.hpp), so the tests that prove the filter
# skip there; the normal build above runs them.
STACKPRINT_ALLOWED_SKIPS='Sandbox(Cli)?\.' scripts/check-no-skips.sh build-asan/ctest.log
