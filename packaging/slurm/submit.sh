#!/bin/bash
# Submits a sharded stackprint scan to Slurm: a job array of N shards, then a merge job that starts
# when all of them have ended (afterany: a failed shard shows up as a gap in the merge).
#   STACKPRINT_SHARDS=N STACKPRINT_OUTPUT_DIR=DIR [STACKPRINT_SEED=S] submit.sh SCAN_ARGS...
# Prints the two job ids ("ARRAY_ID MERGE_ID"). Partition, account and limits come from sbatch's own
# environment variables (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
count=${STACKPRINT_SHARDS:?set STACKPRINT_SHARDS to the shard count N}
out=${STACKPRINT_OUTPUT_DIR:?set STACKPRINT_OUTPUT_DIR to a folder shared by the nodes}
case $count in '' | *[!0-9]* | 0) echo "submit.sh: STACKPRINT_SHARDS must be a positive integer" >&2; exit 2 ;; esac
[ $# -gt 0 ] || { echo "submit.sh: give the scan's targets (and options)" >&2; exit 2; }
mkdir -p "$out"
export STACKPRINT_SHARDS STACKPRINT_OUTPUT_DIR
array=$(sbatch --parsable --export=ALL --array="1-$count" --output="$out/slurm-%A_%a.log" \
  "$here/stackprint-shard.sbatch" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterany:$array" --output="$out/slurm-merge-%j.log" \
  "$here/stackprint-merge.sbatch")
echo "${array} ${merge%%;*}"
