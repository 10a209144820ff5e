#!/usr/bin/env bash
# Runs every benchmark and writes the results, with the machine they ran on, to one folder.
#
#   benchmarks/run.sh short   # about 5 minutes: a quick check, numbers too noisy to publish
#   benchmarks/run.sh full    # about 29 minutes: what docs/PERFORMANCE.md reports
#   benchmarks/run.sh bulk    # about 6 minutes: BulkBenchmark alone (reportAll of 10,000 tasks at
#                             # concurrency 64 against a raw loop), with longer iterations
#
# Output: benchmarks/target/results-<mode>/ (or the folder given as second argument):
#   machine.txt, jmh.txt, jmh.json, tables.md (from jmh.json), connections.txt, coldstart.txt
#   (bulk: no connections.txt or coldstart.txt)
set -euo pipefail

mode="${1:-short}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${2:-$root/benchmarks/target/results-$mode}"
case "$mode" in
  short)
    jmh=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
    cold_runs=3
    reuse_reports=5000
    ;;
  full)
    jmh=(-f 1 -wi 10 -w 2s -i 6 -r 2s)
    cold_runs=10
    reuse_reports=20000
    ;;
  bulk)
    # A batch of 10,000 takes about 0.5 to 1.2 s here: 4 s iterations hold several, and five
    # warm-ups give the emulator the 20 s it needs to reach its plateau.
    jmh=(BulkBenchmark -f 1 -wi 5 -w 4s -i 6 -r 4s)
    ;;
  *)
    echo "usage: $0 short|full|bulk [output folder]" >&2
    exit 2
    ;;
esac

cd "$root"
mvn -B -q -pl benchmarks -am package -DskipTests
jar="$root/benchmarks/target/benchmarks.jar"
mkdir -p "$out"

# The full and bulk runs wait (up to 15 minutes, checking every minute) for the 1-minute load
# average to fall below 0.7: other work on a small machine shows up as noise in every figure.
if [ "$mode" != short ]; then
  for _ in $(seq 1 15); do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    awk -v l="$load" 'BEGIN { exit !(l < 0.7) }' && break
    echo "load average $load, waiting a minute for it to fall below 0.7"
    sleep 60
  done
fi

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  lscpu | grep -E '^(Model name|Thread|Core|Socket)' || true
  free -h | head -2
  java -version 2>&1
  echo "uptime at start: $(uptime)"
} > "$out/machine.txt"
cat "$out/machine.txt"

java -jar "$jar" "${jmh[@]}" -prof gc -prof io.github.capreport.benchmarks.CpuProfiler -rf json -rff "$out/jmh.json" 2>&1 | tee "$out/jmh.txt"
if [ "$mode" != bulk ]; then
  java -cp "$jar" io.github.capreport.benchmarks.ConnectionReuse "$reuse_reports" 2>&1 \
    | grep -v '^SLF4J' | tee "$out/connections.txt"
  java -cp "$jar" io.github.capreport.benchmarks.ColdStart "$cold_runs" 2>&1 \
    | grep -v '^SLF4J' | tee "$out/coldstart.txt"
fi
java -cp "$jar" io.github.capreport.benchmarks.ResultsTable "$out/jmh.json" | tee "$out/tables.md"
echo "uptime at end: $(uptime)" | tee -a "$out/machine.txt"
