#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, no ZooKeeper) on 127.0.0.1, fetched from Maven
# Central with Maven. Idempotent: `start` does nothing when a broker already answers.
#
#   deploy/local/kafka.sh start    fetch (first time), format (first time), start, wait until ready
#   deploy/local/kafka.sh stop     stop the broker this script started
#   deploy/local/kafka.sh status   say whether a broker answers
#   deploy/local/kafka.sh logs     follow the broker log
#   deploy/local/kafka.sh reset    stop and delete the broker's data
#
# Environment: OV_KAFKA_PORT (9092), OV_KAFKA_CONTROLLER_PORT (9093), OV_PARTITIONS (6),
# OV_LOCAL_DIR (<repo>/.local), KAFKA_HEAP_OPTS (-Xms256m -Xmx768m).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
state_dir=${OV_LOCAL_DIR:-$repo/.local}
home="$state_dir/kafka"
libs="$home/libs"
data="$home/data"
log="$home/broker.log"
pidfile="$home/broker.pid"
port=${OV_KAFKA_PORT:-9092}
controller_port=${OV_KAFKA_CONTROLLER_PORT:-9093}
partitions=${OV_PARTITIONS:-6}
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")

say() { echo "[kafka] $*" >&2; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

our_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch() {
  if [ -f "$libs/.complete-$kafka_version" ]; then return 0; fi
  command -v java >/dev/null || { say "java is not installed (Kafka needs Java 17+)"; exit 1; }
  command -v mvn >/dev/null || { say "mvn is not installed (it fetches Kafka from Maven Central)"; exit 1; }
  say "fetching Apache Kafka $kafka_version from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mkdir -p "$home"
  if ! mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >"$home/maven.log" 2>&1; then
    say "Maven could not fetch Kafka; the end of its log ($home/maven.log):"
    tail -n 30 "$home/maven.log" >&2
    exit 1
  fi
  touch "$libs/.complete-$kafka_version"
}

write_config() {
  mkdir -p "$home"
  cat >"$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=$partitions
# OneVoice creates its topics itself, all with one partition count (docs/design.md §2).
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# One node: nothing to wait for before the first rebalance.
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  cat >"$home/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
PROPS
}

java_args() {
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several flags
  printf '%s\n' ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$home/log4j.properties" -cp "$libs/*"
}

java_run() {
  local args
  mapfile -t args < <(java_args)
  java "${args[@]}" "$@"
}

format_storage() {
  if [ -f "$data/meta.properties" ]; then return 0; fi
  local cluster_id
  cluster_id=$(java_run kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  say "formatting storage in $data (cluster $cluster_id)"
  java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" >&2
}

start() {
  if answers; then
    say "a broker already answers on 127.0.0.1:$port; nothing to do"
    return 0
  fi
  fetch
  write_config
  format_storage
  local started=$SECONDS
  : >"$log"
  say "starting Apache Kafka $kafka_version (KRaft) on 127.0.0.1:$port; log: $log"
  local args
  mapfile -t args < <(java_args)
  nohup java "${args[@]}" kafka.Kafka "$home/server.properties" >>"$home/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  until grep -q 'Kafka Server started' "$log" 2>/dev/null; do
    if ! our_pid >/dev/null; then
      say "the broker exited while starting; last lines of its logs:"
      tail -n 30 "$home/stdout.log" "$log" >&2 || true
      exit 1
    fi
    if (( SECONDS - started > 120 )); then
      say "the broker did not start within 120 s; see $log"
      exit 1
    fi
    sleep 0.5
  done
  say "ready on 127.0.0.1:$port after $(( SECONDS - started )) s"
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    rm -f "$pidfile"
    if answers; then say "a broker answers on $port but this script did not start it; leaving it"; else say "not running"; fi
    return 0
  fi
  say "stopping broker (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then say "still running after 30 s; killing"; kill -9 "$pid" || true; fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "a broker answers on 127.0.0.1:$port"; else echo "no broker on 127.0.0.1:$port"; exit 3; fi ;;
  logs) exec tail -F "$log" ;;
  reset) stop; rm -rf "$data"; say "data removed" ;;
  *) echo "usage: $0 start|stop|status|logs|reset" >&2; exit 2 ;;
esac
