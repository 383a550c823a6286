#!/usr/bin/env bash
# Runs one stage of `make test` / `make check` quietly: its whole output goes to
# results/logs/NAME.log; the terminal gets one line ("ok  NAME  12 s  <summary>"), or, when the
# stage fails, the line and the stage's full output.
#   scripts/stage.sh NAME [--summary REGEX] -- COMMAND...
# --summary: the last output line matching REGEX is shown on the stage's line (for example
# pytest's "N passed" or the NLU macro-F1).
set -uo pipefail

name="$1"; shift
summary=""
if [ "${1:-}" = "--summary" ]; then summary="$2"; shift 2; fi
[ "${1:-}" = "--" ] && shift

log_dir="results/logs"
mkdir -p "$log_dir"
log="$log_dir/$name.log"
started=$(date +%s)
"$@" >"$log" 2>&1
status=$?
seconds=$(( $(date +%s) - started ))
line=""
if [ -n "$summary" ]; then
  line=$(grep -E "$summary" "$log" | tail -n 1 | sed -E 's/\x1b\[[0-9;]*m//g; s/^[ =]+//; s/[ =]+$//' || true)
fi
if [ "$status" -eq 0 ]; then
  printf 'ok    %-20s %4d s  %s\n' "$name" "$seconds" "$line"
  echo "$name ok ${seconds}s $line" >>"$log_dir/summary.txt"
else
  printf 'FAIL  %-20s %4d s  (log: %s)\n' "$name" "$seconds" "$log"
  echo "$name FAILED ${seconds}s" >>"$log_dir/summary.txt"
  echo "----- output of $name -----"
  cat "$log"
  echo "----- end of $name -----"
fi
exit "$status"
