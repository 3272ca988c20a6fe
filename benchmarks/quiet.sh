#!/usr/bin/env bash
# Every speed figure of the README and docs/SCALE.md, one benchmark at a time, for a machine with
# nothing else running (each script records the load average and flags a figure above 1.0).
#   bash benchmarks/quiet.sh OLD_SRC [WORK]
# OLD_SRC: the src/ folder of an older allygraph to compare with (git worktree add /tmp/old REV);
# WORK: where data directories, Kùzu's virtual environment and the outputs go (default /tmp/allygraph-quiet).
# The outputs (WORK/results/*.txt) are what benchmarks/RESULTS-*.txt hold.
set -u
OLD=${1:?the src/ folder of an older allygraph}
WORK=${2:-/tmp/allygraph-quiet}
cd "$(dirname "$0")/.."
unset PYTHONDONTWRITEBYTECODE  # start-up is measured with warm bytecode, as users run it
OUT=$WORK/results
mkdir -p "$OUT" "$WORK/old-cache"
log() { echo "$1 $(date -u +%T) $(cat /proc/loadavg)" >> "$OUT/log"; }
log start
python benchmarks/startup.py --pairs 30 --compare "$OLD" > "$OUT/startup.txt" 2>&1; log startup
python benchmarks/peer_kuzu.py --work "$WORK" --runs 2 --compare "$OLD" > "$OUT/kuzu.txt" 2>&1; log kuzu
python benchmarks/analysis.py "$WORK/analysis-1m" --issue20 --rounds 2 --old "$OLD" --old-cache "$WORK/old-cache" \
  > "$OUT/analysis.txt" 2>&1; log analysis
python benchmarks/edit.py --relations 1000000 --work "$WORK/edit" --rounds 1 --timeout 150 > "$OUT/edit.txt" 2>&1; log edit
python benchmarks/server.py --relations 1000000 --runs 5 --work "$WORK/server" > "$OUT/server.txt" 2>&1; log server
