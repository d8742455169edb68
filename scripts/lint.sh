#!/usr/bin/env bash
# Style checks. Always: every tracked C++ file must be formatted as .clang-format says (Debian 12's
# clang-format 14). With --tidy BUILD_DIR: also clang-tidy with .clang-tidy over every .cpp of src/
# (needs the build's compile_commands.json); any finding fails. scripts/test.sh (CI) runs both; the
# clang-tidy pass costs about 11 CPU-minutes, ~6 minutes on 2 idle cores. --tidy-changed BUILD_DIR
# [BASE] checks only the src/ files changed since BASE (default: main), for a quick look while working.
#   scripts/lint.sh [--fix] [--tidy BUILD_DIR | --tidy-changed BUILD_DIR [BASE]]
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0; tidy_build=""; tidy_base=""
while [ $# -gt 0 ]; do
  case $1 in
    --fix) fix=1 ;;
    --tidy) tidy_build=${2:?--tidy needs the build directory}; shift ;;
    --tidy-changed)
      tidy_build=${2:?--tidy-changed needs the build directory}; shift
      tidy_base=main
      if [ $# -gt 1 ] && [ "${2#-}" = "$2" ]; then tidy_base=$2; shift; fi ;;
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
  if [ -z "$tidy_base" ]; then
    mapfile -t sources < <(git ls-files 'src/*.cpp')
  else
    # Changed .cpp files, and those including a changed header directly (uncommitted changes count).
    mapfile -t sources < <({
      git diff --name-only "$tidy_base" -- 'src/*.cpp'
      git diff --name-only "$tidy_base" -- 'src/*.hpp' | while read -r header; do
        git grep -l -F "#include \"${header#src/}\"" -- 'src/*.cpp' || true
      done
    } | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done)
    if [ ${#sources[@]} -eq 0 ]; then echo "lint: clang-tidy: no src/ file changed since $tidy_base"; exit 0; fi
  fi
  # Positional arguments of run-clang-tidy are regular expressions: anchor each path.
  run-clang-tidy -quiet -p "$tidy_build" "${sources[@]/#/^$PWD/}" || { echo "lint: clang-tidy found problems" >&2; exit 1; }
  echo "lint: clang-tidy: ${#sources[@]} files ok"
fi
