#!/usr/bin/env bash
# Runs the whole `npm test` RUNS times in a row (default 3) while two CPU-bound processes run
# beside it, as on a busy CI machine; stops at the first failure. Each run's log goes to
# LOG_DIR (default /tmp/sparkbot-under-load), and one line per run to stdout:
#   run 1: exit 0, 612 s, 801 passed, 0 failed, 3 skipped
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
logs=${LOG_DIR:-/tmp/sparkbot-under-load}
mkdir -p "$logs"

node -e 'for (;;);' &
busy1=$!
node -e 'for (;;);' &
busy2=$!
trap 'kill $busy1 $busy2 2>/dev/null' EXIT
echo "busy loops: pids $busy1 $busy2; $(nproc) CPUs; started $(date -u +%FT%TZ)"

for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  npm test >"$logs/run-$run.log" 2>&1
  code=$?
  seconds=$(($(date +%s) - started))
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$logs/run-$run.log" | tail -1)
  echo "run $run: exit $code, $seconds s, ${summary:-no summary} (ended $(date -u +%FT%TZ))"
  [ "$code" = 0 ] || exit "$code"
done
