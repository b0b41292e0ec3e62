#!/usr/bin/env sh
# Short CI run of every fuzz target (seconds each: $1, default 10). Crash inputs land in
# $FUZZ_ARTIFACTS (default: a temporary directory), never in the working tree.
set -eu
seconds="${1:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python}"
artifacts="${FUZZ_ARTIFACTS:-$(mktemp -d)}"
"$python" -c "import atheris" 2>/dev/null || {
  echo "fuzz: atheris not installed (pip install atheris); skipping" >&2
  exit 0
}
status=0
for target in "$here"/fuzz_*.py; do
  name="$(basename "$target" .py)"
  echo "fuzz: $name for ${seconds}s" >&2
  "$python" "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
    -artifact_prefix="$artifacts/$name-" -print_final_stats=0 || status=1
done
exit "$status"
