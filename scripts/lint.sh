#!/usr/bin/env bash
# Style checks. Always: every tracked C++ file must be formatted as .clang-format says (Debian 12's
# clang-format 14). With --tidy BUILD_DIR: also clang-tidy with .clang-tidy over src/ (needs the
# build's compile_commands.json; slow, so not part of scripts/test.sh yet).
#   scripts/lint.sh [--fix] [--tidy BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0; tidy_build=""
while [ $# -gt 0 ]; do
  case $1 in
    --fix) fix=1 ;;
    --tidy) tidy_build=${2:?--tidy needs the build directory}; shift ;;
    *) echo "lint: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "$fix" = 1 ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}" || { echo "lint: run scripts/lint.sh --fix" >&2; exit 1; }
fi
echo "lint: clang-format: ${#files[@]} files ok"
if [ -n "$tidy_build" ]; then
  [ -f "$tidy_build/compile_commands.json" ] || { echo "lint: $tidy_build/compile_commands.json missing" >&2; exit 2; }
  mapfile -t sources < <(git ls-files 'src/*.cpp')
  run-clang-tidy -quiet -p "$tidy_build" "${sources[@]}"
fi
