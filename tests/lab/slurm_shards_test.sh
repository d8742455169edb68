#!/bin/bash
# Root-only lab test of sharded scans on Slurm (ctest label "lab"): a one-node Slurm cluster (munged,
# slurmctld, slurmd; key, configuration, state and logs in a folder under the build folder, all
# started here and stopped on exit) runs packaging/slurm/submit.sh: a 4-task job array, each task
# scanning its shard of an emulated /24 from the lab's scanner namespace, then the merge job. The
# merged report must hold the same hosts with the same top matches (up to near-ties, see below) as a
# single-process scan of the same /24, with every address in exactly one shard, and merge must exit 0.
# The emulator lab of scripts/emulator_lab.sh: namespaces shd<pid>-s / -e, 10.99.N.0/24 with N in
# 250-254, emulated block 10.225.M.0/24; nothing else is reachable, all is torn down on exit.
#
# usage: slurm_shards_test.sh STACKPRINT REPO BUILD_DIR [SHARDS=4] [SEED=9]
# Exit 77 (ctest SKIP) when not root or when a tool is missing.
set -u
prog=${1:?path of the stackprint binary}
repo=${2:?source tree}
build=${3:?build folder}
shards=${4:-4}
seed=${5:-9}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the Slurm shards lab test needs root (network namespaces, slurmd)"; exit 77
fi
for tool in ip python3 timeout munged munge slurmctld slurmd sbatch squeue sinfo; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"; exit 77; }
done
started=$(date +%s)

# shellcheck source=scripts/emulator_lab.sh
. "$(dirname "$0")/../../scripts/emulator_lab.sh"
emulator_lab_up shd $((250 + $$ % 5)) 225
work=$lab_work
chmod 755 "$work"

# The cluster's folder: under the build folder, as the configuration must name absolute paths.
cluster=$(mktemp -d "$build/slurm_shards.XXXXXX")
chmod 711 "$cluster"
daemons=()
array_id=""
merge_id=""
stop_cluster() {
  local pid
  [ -n "$array_id" ] && timeout 5 scancel "$array_id" "$merge_id" 2>/dev/null
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${daemons[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "${STACKPRINT_LAB_KEEP:-}" ] && cp -r "$cluster" "$STACKPRINT_LAB_KEEP/" 2>/dev/null
  rm -rf "$cluster"
  emulator_lab_down
}
trap stop_cluster EXIT

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
show_logs() { for f in "$cluster"/*.log "$work"/out/*.err "$work"/out/*.log; do [ -s "$f" ] && { echo "== $f"; tail -n 15 "$f"; }; done; }

# munged with its own key and socket.
mkdir -p "$cluster/munge" "$cluster/state" "$cluster/spool"
chmod 711 "$cluster/munge"
head -c 1024 /dev/urandom >"$cluster/munge/munge.key"
chmod 400 "$cluster/munge/munge.key"
timeout 300 munged --foreground --force --socket="$cluster/munge/socket" --key-file="$cluster/munge/munge.key" \
  --log-file="$cluster/munged.log" --pid-file="$cluster/munge/pid" --seed-file="$cluster/munge/seed" \
  >/dev/null 2>&1 &
daemons+=($!)
for _ in $(seq 50); do [ -S "$cluster/munge/socket" ] && break; sleep 0.1; done
[ -S "$cluster/munge/socket" ] || { echo "FAIL: munged did not start"; show_logs; exit 1; }

# Ports from the lab range, so that two checkouts running this test at once do not collide.
port=$((16800 + 2 * ($$ % 500)))
cat >"$cluster/slurm.conf" <<CONF
ClusterName=shardlab
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$cluster/munge/socket
CredType=cred/munge
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=lab Nodes=localhost Default=YES MaxTime=10 State=UP
CONF
export SLURM_CONF="$cluster/slurm.conf"
timeout 300 slurmctld -D -i -f "$SLURM_CONF" >/dev/null 2>&1 &
daemons+=($!)
timeout 300 slurmd -D -N localhost -f "$SLURM_CONF" >/dev/null 2>&1 &
daemons+=($!)
state=""
for _ in $(seq 150); do
  state=$(timeout 5 sinfo -h -n localhost -o %t 2>/dev/null)
  case $state in idle* | mix* | alloc*) break ;; esac
  sleep 0.2
done
case $state in idle* | mix* | alloc*) ;; *) echo "FAIL: the Slurm node did not come up (state '$state')"; show_logs; exit 1 ;; esac
echo "cluster up after $(($(date +%s) - started)) s"

emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 250 --personality random --seed "$seed" || exit 1

# The sharded scan through Slurm.
out="$work/out"
mkdir -p "$out"
ids=$(STACKPRINT="$prog" STACKPRINT_LAUNCHER="timeout 100 ip netns exec $lab_scanner" STACKPRINT_SHARDS=$shards \
  STACKPRINT_OUTPUT_DIR="$out" STACKPRINT_SEED=$seed timeout 20 "$repo/packaging/slurm/submit.sh" "$lab_cidr" 2>&1) ||
  { echo "FAIL: submit.sh: $ids"; show_logs; exit 1; }
read -r array_id merge_id <<<"$ids"
echo "submitted array $array_id, merge $merge_id"

for _ in $(seq 900); do
  [ -z "$(timeout 5 squeue -h -j "$array_id,$merge_id" 2>/dev/null)" ] && [ -s "$out/merge.status" ] && break
  sleep 0.2
done
if [ ! -s "$out/merge.status" ]; then
  fail "the merge job did not finish in time"; timeout 5 squeue; show_logs; exit 1
fi
merge_status=$(cat "$out/merge.status")
[ "$merge_status" = 0 ] || { fail "merge exited $merge_status"; cat "$out/merge.err"; }

# The single-process scan of the same block, once the array is done: run beside two shard tasks on
# a two-core machine, a slow (sanitizer) build lost the port scan's replies of whole hosts.
timeout 100 ip netns exec "$lab_scanner" "$prog" scan --seed "$seed" -oJ "$work/single.jsonl" "$lab_cidr" \
  >/dev/null 2>"$work/single.err" || { fail "single-process scan exited $?"; cat "$work/single.err"; }

python3 - "$work/single.jsonl" "$out/merged.jsonl" "$shards" "$out" <<'PY' || failures=$((failures + 1))
import json, sys
single_path, merged_path, shards, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def load(path):
    return [json.loads(l) for l in open(path) if l.strip()]
def top(record):
    os = record.get("os_detection") or {}
    matches = os.get("matches") or []
    return matches[0]["name"] if matches else None
problems = []
single = {r["target"]: r for r in load(single_path)}
merged = load(merged_path)
merged_by = {r["target"]: r for r in merged}
if len(merged_by) != len(merged):
    problems.append(f"the merged report lists {len(merged) - len(merged_by)} addresses twice")
shard_of = {}
sizes = []
for index in range(1, shards + 1):
    records = load(f"{out}/shard-{index}-of-{shards}.jsonl")
    sizes.append(len(records))
    for r in records:
        if r.get("shard", {}).get("index") != index:
            problems.append(f"{r['target']} in shard file {index} says shard {r.get('shard')}")
        if r["target"] in shard_of:
            problems.append(f"{r['target']} in shards {shard_of[r['target']]} and {index}")
        shard_of[r["target"]] = index
up_single = {a for a, r in single.items() if r["state"] == "up"}
up_merged = {a for a, r in merged_by.items() if r["state"] == "up"}
if len(up_single) < 200:
    problems.append(f"only {len(up_single)} hosts up in the single-process scan")
if up_single != up_merged:
    problems.append(f"hosts up differ: single only {sorted(up_single - up_merged)[:5]}, "
                    f"shards only {sorted(up_merged - up_single)[:5]}")
if set(shard_of) != set(merged_by):
    problems.append("the merged report is not the union of the shard files")
# Two scans of one emulated host can measure slightly different fingerprints (timing-derived
# values), which can swap two references that score within a hair of each other. Such a swap is a
# near-tie: each scan's top match is in the other's list within 0.02 of its top accuracy. At most 5%
# of the hosts may be near-ties; any other difference fails.
def near(a, b):
    top_a, top_b = top(a), top(b)
    best_b = (b["os_detection"]["matches"] or [{"accuracy": 0}])[0]["accuracy"]
    return any(x["name"] == top_a and x["accuracy"] >= best_b - 0.02 for x in b["os_detection"]["matches"])
common = up_single & up_merged
differ = [a for a in common if top(single[a]) != top(merged_by[a])]
ties = [a for a in differ if near(single[a], merged_by[a]) and near(merged_by[a], single[a])]
wrong = [a for a in differ if a not in ties]
if wrong:
    a = wrong[0]
    problems.append(f"{len(wrong)} top matches differ, e.g. {a}: {top(single[a])!r} vs {top(merged_by[a])!r}")
if len(ties) > 0.05 * max(1, len(common)):
    problems.append(f"{len(ties)} near-tie top matches differ (more than 5%)")
print(f"single: {len(up_single)} up; shards: {sizes} hosts; merged: {len(up_merged)} up; "
      f"{len(common) - len(differ)} same top match, {len(ties)} near-ties")
print("; ".join(problems) if problems else "ok")
sys.exit(1 if problems else 0)
PY

echo "slurm shards lab test: $(($(date +%s) - started)) s"
if [ "$failures" -gt 0 ]; then show_logs; echo "FAIL: $failures check(s) failed"; exit 1; fi
echo "PASS"
