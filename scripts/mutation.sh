#!/usr/bin/env bash
# Mutation testing of nnfrust's core packages with PIT (docs/testing.md). Runs on demand, not in CI (about
# half an hour on 2 cores). Prints the score per package and ends with the line
#   mutation score: N% (killed/total)
# Usage: scripts/mutation.sh [PACKAGE_GLOBS]   (default: the six core packages)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/.ci/jdk.sh"
cd "$here"
classes="${1:-io.nnfrust.graph.*,io.nnfrust.frustration.*,io.nnfrust.nullmodel.*,io.nnfrust.monotonicity.*,io.nnfrust.active.*,io.nnfrust.onnx.*}"
mvn -B -q -Dstyle.color=never -Pmutation test-compile org.pitest:pitest-maven:mutationCoverage \
    "-DtargetClasses=$classes" > target/mutation.log 2>&1 || { tail -30 target/mutation.log; exit 1; }
python3 - target/pit-reports/mutations.xml <<'PY'
import sys, collections, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
per = collections.defaultdict(collections.Counter)
for m in root:
    pkg = m.find('mutatedClass').text.rsplit('.', 1)[0]
    per[pkg][m.get('status')] += 1
killed = total = 0
print(f"{'package':28} {'killed':>7} {'total':>6} {'score':>6}  survived  no-coverage  timed-out")
for pkg in sorted(per):
    c = per[pkg]
    k = c['KILLED'] + c['TIMED_OUT'] + c['MEMORY_ERROR']
    t = sum(c.values())
    killed += k
    total += t
    print(f"{pkg:28} {k:7d} {t:6d} {100.0 * k / t:5.1f}%  {c['SURVIVED']:8d}  {c['NO_COVERAGE']:11d}  {c['TIMED_OUT']:9d}")
print(f"mutation score: {100.0 * killed / total:.1f}% ({killed}/{total})")
PY
