#!/usr/bin/env bash
# Reintroduces known one-line bugs, one at a time, in a scratch copy of HEAD and runs the solver and block tests
# against each: every drill must end with failing tests (and none may hang: junit-platform.properties sets a
# default timeout, lowered to 20 s here). Prints one line per drill. Usage: scripts/bug-drills.sh [SCRATCH_DIR]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${1:-/tmp/nnfrust-bug-drills}"
source "$here/.ci/jdk.sh"
rm -rf "$scratch"
git -C "$here" worktree remove --force "$scratch" >/dev/null 2>&1 || true
git -C "$here" worktree add --detach "$scratch" HEAD >/dev/null 2>&1 || { echo "cannot create $scratch"; exit 1; }
trap 'git -C "$here" worktree remove --force "$scratch" >/dev/null 2>&1' EXIT
tests='SolverTest,Algorithm1ReferenceTest,BlockReferenceTest,ConvolutionKernelTest,GraphConsistencyTest,ExperimentTest'
drill() { # name file perl-substitution
  local name="$1" file="$2" expr="$3"
  (cd "$scratch" && git checkout -q -- . && perl -0pi -e "$expr" "$file")
  if (cd "$scratch" && git diff --quiet); then echo "drill $name: the substitution did not apply"; return; fi
  local t0=$SECONDS
  (cd "$scratch" && timeout 900 mvn -q -B -Dstyle.color=never test -Dtest="$tests" -Djunit.jupiter.execution.timeout.default=20s > "$scratch/drill-$name.log" 2>&1)
  local rc=$?
  local failed
  failed=$(grep -oE '^\[ERROR\]   [A-Za-z0-9]+\.[A-Za-z0-9]+' "$scratch/drill-$name.log" | sed 's/\[ERROR\]   //' | sort -u | paste -sd, -)
  if [[ $rc == 0 ]]; then
    echo "drill $name: NOT CAUGHT (all tests pass) in $((SECONDS - t0)) s"
  elif [[ $rc == 124 ]]; then
    echo "drill $name: caught only by the 900 s guard (a hang)"
  else
    echo "drill $name: caught in $((SECONDS - t0)) s by ${failed:-a failing build}"
  fi
}
drill ties-highest-index src/main/java/io/nnfrust/frustration/Algorithm1.java \
  's/return v\[b\] < v\[a\] \? b : a;/return v[b] <= v[a] ? b : a;/'
drill algorithm1-picks-fifo src/main/java/io/nnfrust/frustration/Solvers.java \
  's/case "algorithm1" -> new Algorithm1\(Algorithm1.Pick.MOST_NEGATIVE\)/case "algorithm1" -> new Algorithm1(Algorithm1.Pick.FIRST)/'
drill kernel-strided-transpose-sign src/main/java/io/nnfrust/graph/ConvolutionKernel.java \
  's/(if \(w != 0f && tapPhase\[t\] == ph\) \{\n\s*tw\[n\] = )w;/$1ph > 0 ? -w : w;/'
drill strided-transpose-sign src/main/java/io/nnfrust/graph/ConvolutionBlock.java \
  's/(\} else \{\n\s*for \(int o = c0; o <= c1; o\+\+\) \{\n\s*y\[yRow \+ o \* stride\]) \+= (w \* x\[xRow \+ o\];)/$1 -= $2/'
