#!/usr/bin/env bash
# Copyright 2026 The seckill authors. Licensed under the Apache License, Version 2.0.
#
# Three instances of the example shop selling ONE sale in cluster mode, behind nginx with
# consistent-hash routing by user, all on loopback. See README.md in this directory.
#
#   examples/cluster/run-cluster.sh [start]   build if needed, start 3 shops and nginx
#   examples/cluster/run-cluster.sh status    which processes run
#   examples/cluster/run-cluster.sh kill N    kill -9 instance N (1..3): its users fail over
#   examples/cluster/run-cluster.sh stop      stop nginx and every instance
#
# Settings (environment): NGINX_PORT (8080), SHOP_PORTS ("8081 8082 8083"), STOCK (1000),
# LIMIT_PER_USER (1), STARTS_IN (seconds to the sale's start, 30), DURATION (minutes, 30),
# LEASE_TTL (3s), REAP_GRACE (2s), DB_URL (jdbc:postgresql://127.0.0.1:5432/test),
# DB_USER (postgres), DB_PASSWORD (empty), RUN_DIR (/tmp/seckill-cluster), MVN_ARGS (extra Maven
# arguments for the build, e.g. -o), REBUILD (set: build even if a jar is there), JAVA (java).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_DIR=${RUN_DIR:-/tmp/seckill-cluster}
NGINX_PORT=${NGINX_PORT:-8080}
read -r -a SHOP_PORTS <<< "${SHOP_PORTS:-8081 8082 8083}"
STOCK=${STOCK:-1000}
LIMIT_PER_USER=${LIMIT_PER_USER:-1}
STARTS_IN=${STARTS_IN:-30}
DURATION=${DURATION:-30}
LEASE_TTL=${LEASE_TTL:-3s}
REAP_GRACE=${REAP_GRACE:-2s}
DB_URL=${DB_URL:-jdbc:postgresql://127.0.0.1:5432/test}
DB_USER=${DB_USER:-postgres}
DB_PASSWORD=${DB_PASSWORD:-}
JAVA=${JAVA:-java}
SHOP=$ROOT/examples/spring-boot-shop
CLASSPATH_FILE=$SHOP/target/cluster-classpath.txt
# The Chronicle Map flags (seckill.jvm.flags in the parent pom; the root README, "JVM flags").
JVM_FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED -Dchronicle.analytics.disable=true
  -Dchronicle.announcer.disable=true)

log() { printf '[cluster] %s\n' "$*"; }

build() {
  local jar
  jar=$(ls "$SHOP"/target/seckill-example-spring-boot-shop-*.jar 2>/dev/null | head -1 || true)
  if [ -n "$jar" ] && [ -s "$CLASSPATH_FILE" ] && [ -z "${REBUILD:-}" ]; then
    log "shop already built ($jar; REBUILD=1 to build again)"
    return
  fi
  log "building the shop (mvn package, tests skipped)"
  # build-classpath runs in every module of the reactor; the shop is built last, so the file
  # ends up holding the shop's runtime class path (the other modules' jars in their target/).
  (cd "$ROOT" && mvn -B -q ${MVN_ARGS:-} -pl examples/spring-boot-shop -am -DskipTests \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true package dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$CLASSPATH_FILE")
}

ensure_nginx() {
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    log "installing nginx (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  if running "$RUN_DIR/nginx.pid" || ls "$RUN_DIR"/shop-*.pid >/dev/null 2>&1; then
    log "a cluster is already running from $RUN_DIR: run '$0 stop' first"; exit 1
  fi
  build
  ensure_nginx
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"/tmp
  local jar cp stamp prefix secret starts ends
  jar=$(ls "$SHOP"/target/seckill-example-spring-boot-shop-*.jar | head -1)
  cp="$jar:$(cat "$CLASSPATH_FILE")"
  # A fresh set of tables for this run: the coordinator creates <prefix>* and <prefix>order.
  stamp=$(date -u +%m%d%H%M%S)
  prefix="cl${stamp}_"
  secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
  starts=$(date -u -d "+${STARTS_IN} seconds" +%Y-%m-%dT%H:%M:%SZ)
  ends=$(date -u -d "+$((STARTS_IN + DURATION * 60)) seconds" +%Y-%m-%dT%H:%M:%SZ)
  printf 'PREFIX=%s\nTABLE=%sorder\nSALE=phone-%s\nSTARTS=%s\n' "$prefix" "$prefix" "$stamp" \
    "$starts" > "$RUN_DIR/cluster.env"

  local i=0 servers=""
  for port in "${SHOP_PORTS[@]}"; do
    i=$((i + 1))
    mkdir -p "$RUN_DIR/shop-$i"
    log "starting shop-$i on 127.0.0.1:$port"
    # The same sale (id, stock, limit, absolute window) and token secret on every instance;
    # its own data directory (ledger) and node name. setsid: it survives this shell.
    setsid "$JAVA" "${JVM_FLAGS[@]}" -Xmx512m -cp "$cp" dev.seckill.examples.shop.ShopApplication \
      --spring.profiles.active=postgres,cluster \
      --server.address=127.0.0.1 --server.port="$port" \
      --spring.datasource.url="$DB_URL" --spring.datasource.username="$DB_USER" \
      --spring.datasource.password="$DB_PASSWORD" \
      --shop.data-dir="$RUN_DIR/shop-$i/data" --shop.node-name="shop-$i" \
      --shop.table="${prefix}order" --seckill.cluster.table-prefix="$prefix" \
      --seckill.cluster.lease-ttl="$LEASE_TTL" --seckill.cluster.reap-grace="$REAP_GRACE" \
      --shop.sale.id="phone-$stamp" --shop.sale.stock="$STOCK" \
      --shop.sale.limit-per-user="$LIMIT_PER_USER" \
      --shop.sale.starts-at="$starts" --shop.sale.ends-at="$ends" \
      --seckill.admission.token-secret="$secret" \
      > "$RUN_DIR/shop-$i/shop.log" 2>&1 < /dev/null &
    echo $! > "$RUN_DIR/shop-$i.pid"
    servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
  done

  for i in $(seq 1 "${#SHOP_PORTS[@]}"); do
    for _ in $(seq 1 180); do
      if grep -q "Started ShopApplication" "$RUN_DIR/shop-$i/shop.log"; then break; fi
      if ! running "$RUN_DIR/shop-$i.pid"; then
        log "shop-$i died; its log:"; tail -40 "$RUN_DIR/shop-$i/shop.log"; stop; exit 1
      fi
      sleep 1
    done
    grep -q "Started ShopApplication" "$RUN_DIR/shop-$i/shop.log" \
      || { log "shop-$i did not start in 180 s; see $RUN_DIR/shop-$i/shop.log"; stop; exit 1; }
    log "shop-$i is up"
  done

  sed -e "s#@RUN@#$RUN_DIR#g" -e "s#@LISTEN@#$NGINX_PORT#g" "$ROOT/examples/cluster/nginx.conf.template" \
    | awk -v servers="$servers" '{ if ($0 == "@SERVERS@") printf "%s", servers; else print }' \
    > "$RUN_DIR/nginx.conf"
  "$NGINX" -t -q -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -e "$RUN_DIR/nginx-error.log"
  "$NGINX" -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -e "$RUN_DIR/nginx-error.log"
  log "nginx on http://127.0.0.1:$NGINX_PORT/ (config $RUN_DIR/nginx.conf)"
  log "sale phone-$stamp: $STOCK units, $LIMIT_PER_USER per user, opens at $starts"
  log "orders: table ${prefix}order in $DB_URL; logs and pids in $RUN_DIR"
}

status() {
  [ -f "$RUN_DIR/cluster.env" ] || { log "nothing started from $RUN_DIR"; return; }
  # shellcheck disable=SC1091
  . "$RUN_DIR/cluster.env"
  log "sale $SALE, orders table $TABLE"
  for f in "$RUN_DIR"/shop-*.pid; do
    [ -e "$f" ] || continue
    if running "$f"; then log "$(basename "$f" .pid): running (pid $(cat "$f"))"
    else log "$(basename "$f" .pid): not running"; fi
  done
  if running "$RUN_DIR/nginx.pid"; then log "nginx: running"; else log "nginx: not running"; fi
}

kill_one() {
  local f="$RUN_DIR/shop-$1.pid"
  running "$f" || { log "shop-$1 is not running"; exit 1; }
  kill -9 "$(cat "$f")"
  log "shop-$1 killed (kill -9); its users move to the others, its unsold stock comes back"\
" after lease-ttl + reap-grace"
}

stop() {
  if running "$RUN_DIR/nginx.pid"; then
    log "stopping nginx"
    kill -QUIT "$(cat "$RUN_DIR/nginx.pid")" || true
  fi
  for f in "$RUN_DIR"/shop-*.pid; do
    [ -e "$f" ] || continue
    if running "$f"; then
      log "stopping $(basename "$f" .pid)"
      kill -TERM "$(cat "$f")" || true
      for _ in $(seq 1 30); do running "$f" || break; sleep 1; done
      running "$f" && kill -9 "$(cat "$f")"
    fi
    rm -f "$f"
  done
  log "stopped (logs stay in $RUN_DIR)"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) kill_one "${2:?which instance: 1, 2 or 3}" ;;
  *) echo "usage: $0 [start|status|kill N|stop]" >&2; exit 2 ;;
esac
