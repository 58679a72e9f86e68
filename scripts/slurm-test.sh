#!/usr/bin/env bash
# End-to-end cluster test on a real one-node Slurm (scripts/slurm-local.sh): an array of 3 shards of
# 'experiment frustration' (SqueezeNet at 32x32, 11 solves) submitted with sbatch --array, waited for by polling
# squeue, merged with 'nnfrust merge', finished with --resume, and compared with the single-machine run.
# Installs slurm-wlm and munge when missing (Debian, as root). Prints PASS or FAIL and exits 0 or 1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm-test: installing slurm-wlm and munge"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) >/dev/null
fi
t0=$SECONDS
rc=0
"$here/scripts/slurm-local.sh" || rc=$?
if [[ $rc == 2 ]]; then
  echo "slurm-test: SKIPPED (another Slurm runs here; the test cluster is not started beside it)"
  exit 0
elif [[ $rc != 0 ]]; then
  echo "slurm-test: FAIL: the local cluster did not start"
  exit 1
fi
# the daemons this test's cluster started are stopped at the end, whatever happens
trap '"$here/scripts/slurm-local.sh" stop' EXIT
work="$(mktemp -d /tmp/nnfrust-slurm.XXXXXX)"
nn="$here/nnfrust"
"$nn" --version >/dev/null   # builds the jar once, before the jobs start
run=(experiment frustration zoo:squeezenet1.1 --input-size 32 32 --replicas 3 --nulls N1,N3 --null-count 2
     --solver layered --threads 1 --seed 5 --quiet)
NNFRUST_JAVA_OPTS=-Xmx1g "$nn" "${run[@]}" --output "$work/whole.json"
cat > "$work/shard.sbatch" <<SBATCH
#!/usr/bin/env bash
#SBATCH --job-name=nnfrust-shard
#SBATCH --array=1-3
#SBATCH --cpus-per-task=1
#SBATCH --mem=1536M
#SBATCH --requeue
#SBATCH --output=$work/shard-%a.log
export NNFRUST_JAVA_OPTS=-Xmx1g
exec "$nn" ${run[*]} --shard slurm --checkpoint "$work/shard-\${SLURM_ARRAY_TASK_ID}.jsonl" --resume
SBATCH
# waits (polling squeue: accounting is off) until array job $1 has left the queue, at most 600 s
wait_for_job() {
  for _ in $(seq 1 600); do
    [[ -z "$(squeue -h -j "$1" 2>/dev/null)" ]] && return 0
    sleep 1
  done
  echo "slurm-test: FAIL: array job $1 still queued after 600 s"; squeue; exit 1
}
job="$(sbatch --parsable "$work/shard.sbatch")"
echo "slurm-test: submitted array job $job (3 shards)"
wait_for_job "$job"
for k in 1 2 3; do
  [[ -s "$work/shard-$k.jsonl" ]] || { echo "slurm-test: FAIL: shard $k wrote no checkpoint"; cat "$work/shard-$k.log"; exit 1; }
done
"$nn" merge --output "$work/merged.json" "$work"/shard-{1,2,3}.jsonl
python3 - "$work/whole.json" "$work/merged.json" <<'PY'
import json, sys
def science(p):
    j = json.load(open(p))
    for k in ("provenance",):
        j.pop(k, None)
    for r in j["results"]:
        r.pop("seconds", None)
    return j
a, b = science(sys.argv[1]), science(sys.argv[2])
if a != b:
    print("slurm-test: FAIL: the merged result differs from the single-machine run")
    sys.exit(1)
print("slurm-test: merged = single-machine run: %d solves, groups %s" % (a["solves"], ", ".join(
    "%s min %.6f" % (g, s["min"]) for g, s in a["groups"].items())))
PY
# reproduce over the array: 2 shards of every stage (no images: restarts and null models), merged by --merge-only
rep=(reproduce zoo:squeezenet1.1 --input-size 32 32 --preset quick --threads 1 --quiet --no-report)
NNFRUST_JAVA_OPTS=-Xmx1g "$nn" "${rep[@]}" --out "$work/rep-whole" >/dev/null
cat > "$work/reproduce.sbatch" <<SBATCH
#!/usr/bin/env bash
#SBATCH --job-name=nnfrust-reproduce
#SBATCH --array=1-2
#SBATCH --cpus-per-task=1
#SBATCH --mem=1536M
#SBATCH --requeue
#SBATCH --output=$work/rep-%a.log
export NNFRUST_JAVA_OPTS=-Xmx1g
exec "$nn" ${rep[*]} --out "$work/rep-sharded" --shard slurm
SBATCH
job="$(sbatch --parsable "$work/reproduce.sbatch")"
echo "slurm-test: submitted reproduce array job $job (2 shards)"
wait_for_job "$job"
"$nn" "${rep[@]}" --out "$work/rep-sharded" --merge-only >/dev/null
python3 - "$work/rep-whole/squeezenet1.1" "$work/rep-sharded/squeezenet1.1" <<'PY'
import json, sys, os
def science(p, root):
    j = json.loads(open(p).read().replace(root, "OUT"))
    def strip(x):
        if isinstance(x, dict):
            for k in ("provenance", "seconds", "wallSeconds"):
                x.pop(k, None)
            for v in x.values():
                strip(v)
        elif isinstance(x, list):
            for v in x:
                strip(v)
    strip(j)
    return j
a, b = sys.argv[1], sys.argv[2]
names = ["graph.json", "frustration-algorithm1.json", "frustration-best.json", "nulls.json", "nulls-n3-he.json",
         "nulls-n3-xavier.json"]
for n in names:
    if science(os.path.join(a, n), os.path.dirname(a)) != science(os.path.join(b, n), os.path.dirname(b)):
        print("slurm-test: FAIL: reproduce over the array differs from one run in " + n)
        sys.exit(1)
print("slurm-test: reproduce over a 2-shard array, merged = one run (%d stage outputs)" % len(names))
PY
echo "slurm-test: PASS in $((SECONDS - t0)) s (work in $work)"
