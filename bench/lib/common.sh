# Shared helpers for bench/*/run scripts (bash). Source it: . "$(dirname "$0")/../lib/common.sh"
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# median FILE: median of the numbers in FILE (one per line)
median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# pct FILE P: the P-th percentile (nearest rank) of the numbers in FILE
pct() { sort -g "$1" | awk -v p="$2" '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} r=int((p/100)*NR+0.999999); if (r<1) r=1; print a[r]}'; }

# now_ms: wall clock in milliseconds
now_ms() { date +%s%3N; }

# bench_record NAME FILE: keep FILE as bench/results/NAME.md and put it into docs/performance.md
bench_record() {
  local name=$1 file=$2 perf="$BENCH_ROOT/docs/performance.md"
  mkdir -p "$BENCH_ROOT/bench/results"
  cp "$file" "$BENCH_ROOT/bench/results/$name.md"
  python3 - "$perf" "$name" "$file" <<'PY'
import sys, re, pathlib
perf, name, table = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3]).read_text().rstrip() + "\n"
text = perf.read_text() if perf.exists() else "# Performance\n"
begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
block = f"{begin}\n{table}{end}"
if begin in text:
    text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + f"\n\n## {name}\n\n{block}\n"
perf.write_text(text)
PY
  echo "bench: recorded $name in docs/performance.md"
}
