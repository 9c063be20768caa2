#!/usr/bin/env bash
# Copyright 2026 The seckill authors. Licensed under the Apache License, Version 2.0.
#
# Builds benchmarks.jar and runs the whole seckill-bench suite once: the JMH benchmarks (engine,
# ledger, Chronicle raw put, sold-out path, in-heap / Redis / SQL baselines), the callback-vs-future
# run with -prof gc, the open-loop latency harness and the scale runs (1M and 10M users, kill -9
# recovery). Writes JSON/CSV, a summary and PNG charts to seckill-bench/results/<UTC date>/.
# About 12-15 minutes on 2 cores.
#
# Usage: seckill-bench/run.sh [--no-install] [--with-10m] [--with-crowd] [--publish]
#   --no-install  build only this module against the seckill-core in ~/.m2 (default: install the
#                 whole repository first, so the measured core is the working tree's)
#   --with-10m    add the 10M-user scale run: filling 10M buyers through the engine takes 3-5
#                 more minutes on a busy 2-core machine and ~2.5 GB of temporary files; its
#                 ledger goes to java.io.tmpdir (SCALE_10M_STORAGE=shm for /dev/shm)
#   --with-crowd  add the crowd test (CrowdRun: 1M units, 20M requests from 10M users, 2 caller
#                 threads, engine and in-heap baseline): ~40 s and a 6 GiB heap; writes crowd.csv
#   --publish     copy the summary, CSVs and charts to docs/benchmarks/
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/seckill-bench"
INSTALL=1
TEN_M=0
CROWD=0
PUBLISH=0
for arg in "$@"; do
  case "$arg" in
    --no-install) INSTALL=0 ;;
    --with-10m) TEN_M=1 ;;
    --with-crowd) CROWD=1 ;;
    --publish) PUBLISH=1 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

OUT="$BENCH/results/$(date -u +%Y-%m-%d)"
if [ -e "$OUT" ]; then OUT="$OUT-$(date -u +%H%M%S)"; fi
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1

# The Chronicle Map flags, from the parent pom: one source of truth.
read -r -a FLAGS <<< "$(sed -n 's:.*<seckill.jvm.flags>\(.*\)</seckill.jvm.flags>.*:\1:p' "$ROOT/pom.xml")"
if [ "${#FLAGS[@]}" -eq 0 ]; then echo "no seckill.jvm.flags in $ROOT/pom.xml" >&2; exit 1; fi

echo "== build ($(date -u))"
cd "$ROOT"
if [ "$INSTALL" -eq 1 ]; then
  mvn -B -q -DskipTests install
else
  mvn -B -q -pl seckill-bench -DskipTests package
fi
JAR="$BENCH/target/benchmarks.jar"

{
  echo "date: $(date -u)"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p')"
  echo "memory: $(free -g 2>/dev/null | awk '/Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -sr)"
  echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java:"; java -version 2>&1 | sed 's/^/  /'
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "tmpdir: ${TMPDIR:-/tmp} ($(df -hT "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}'))"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

java -cp "$JAR" dev.seckill.bench.Servers | tee "$OUT/servers.txt"
EXCLUDE=()
DBS="h2"
if grep -q '^redis up' "$OUT/servers.txt"; then :; else
  echo "SKIPPED Redis baseline: no server (set SECKILL_IT_REDIS_URL)"; EXCLUDE+=(-e RedisBaselineBenchmark); fi
if grep -q '^postgres up' "$OUT/servers.txt"; then DBS="postgres,$DBS"; else
  echo "SKIPPED PostgreSQL baseline: no server (set SECKILL_IT_POSTGRES_URL)"; fi
if grep -q '^mariadb up' "$OUT/servers.txt"; then DBS="$DBS,mariadb"; else
  echo "SKIPPED MariaDB baseline: no server (set SECKILL_IT_MYSQL_URL)"; fi

echo "== JMH: engine, ledger, sold-out, baselines ($(date -u))"
java -jar "$JAR" \
  'SubmitBenchmark|LedgerBenchmark|SoldOutBenchmark|InHeapBaselineBenchmark|RedisBaselineBenchmark|SqlBaselineBenchmark' \
  "${EXCLUDE[@]}" -p storage=disk,shm -p db="$DBS" \
  -rf json -rff "$OUT/jmh-main.json"

echo "== JMH: callback vs future submit, -prof gc ($(date -u))"
java -jar "$JAR" SubmitPathBenchmark -prof gc -rf json -rff "$OUT/jmh-gc.json"

echo "== open-loop latency ($(date -u))"
java "${FLAGS[@]}" -Xmx3g -cp "$JAR" dev.seckill.bench.OpenLoop \
  --idle BLOCKING,YIELDING --storage disk --warmup-ms 500 --measure-ms 2000 --out "$OUT/openloop.csv"

echo "== scale: 1M users ($(date -u))"
java "${FLAGS[@]}" -Xmx1g -cp "$JAR" dev.seckill.bench.ScaleRun --users 1000000 --out "$OUT/scale.csv"
if [ "$TEN_M" -eq 1 ]; then
  echo "== scale: 10M users ($(date -u))"
  java "${FLAGS[@]}" -Xmx1g -cp "$JAR" dev.seckill.bench.ScaleRun --users 10000000 \
    --storage "${SCALE_10M_STORAGE:-disk}" --out "$OUT/scale.csv"
fi

if [ "$CROWD" -eq 1 ]; then
  echo "== crowd: 1M units, 20M requests from 10M users ($(date -u))"
  java "${FLAGS[@]}" -Xmx6g -cp "$JAR" dev.seckill.bench.CrowdRun --units 1000000 \
    --users 10000000 --requests 20000000 --threads 2 --out "$OUT/crowd.csv"
fi

echo "== report ($(date -u))"
java -Djava.awt.headless=true -cp "$JAR" dev.seckill.bench.Report "$OUT"
cat "$OUT/summary.csv"

if [ "$PUBLISH" -eq 1 ]; then
  mkdir -p "$ROOT/docs/benchmarks"
  cp "$OUT"/summary.csv "$OUT"/summary.json "$OUT"/openloop.csv "$OUT"/scale.csv \
     "$OUT"/machine.txt "$OUT"/*.png "$ROOT/docs/benchmarks/"
  if [ -f "$OUT/crowd.csv" ]; then cp "$OUT/crowd.csv" "$ROOT/docs/benchmarks/"; fi
  echo "published to docs/benchmarks/"
fi
echo "== done ($(date -u)): $OUT"
