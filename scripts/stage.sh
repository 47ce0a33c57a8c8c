#!/usr/bin/env bash
# One stage of `make test`: run the command, print its wall time and add it to var/stages.txt.
#   scripts/stage.sh NAME COMMAND...   run a stage (its exit status is the command's)
#   scripts/stage.sh --summary         print the table of stages so far (also printed after a failed stage)
set -uo pipefail
cd "$(dirname "$0")/.."
log=var/stages.txt
mkdir -p var

summary() {
  [[ -s $log ]] || return 0
  echo "== Stage times (seconds)"
  awk '{ printf "  %-16s %8.1f  %s\n", $1, $2, ($3 == 0 ? "ok" : "FAILED"); total += $2 }
       END { printf "  %-16s %8.1f\n", "total", total }' "$log"
}

if [[ ${1:-} == --summary ]]; then
  summary
  exit 0
fi
name=$1
shift
echo "== $name: $*"
start=$(date +%s.%N)
"$@"
status=$?
seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "$name $seconds $status" >>"$log"
echo "== $name: ${seconds} s$( ((status)) && echo " (FAILED, exit status $status)")"
((status)) && summary
exit "$status"
