#!/bin/sh
# Interpreter wrapper for the benchmark playbooks: runs the module's Python under
# /usr/bin/time and appends its peak RSS (KiB) and wall time (s) to $MESHGATE_BENCH_RSS.
exec /usr/bin/time -a -o "${MESHGATE_BENCH_RSS:-/dev/null}" -f "%M %e" "${MESHGATE_BENCH_PYTHON:-python3}" "$@"
