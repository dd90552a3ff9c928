#!/usr/bin/env bash
# The first `make run` on a fresh clone with empty package caches: seconds from the command to
# the first page answering. Clones HEAD of this checkout (commit first) into a temporary
# directory, so nothing here is reused.
#
#     bench/first_make_run.sh [port]      (default port 5077)
set -euo pipefail
port=${1:-5077}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'pkill -f "$work/.venv" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
cd "$work/clone"
export UV_CACHE_DIR="$work/uv-cache" PIP_NO_CACHE_DIR=1 PORT=$port
start=$(date +%s.%N)
make run >"$work/run.log" 2>&1 &
until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do
  kill -0 $! 2>/dev/null || { cat "$work/run.log"; exit 1; }
  sleep 0.2
done
end=$(date +%s.%N)
printf 'first make run answered after %.1f s (load average %s)\n' \
  "$(echo "$end - $start" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
