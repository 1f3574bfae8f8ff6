#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, no ZooKeeper, no Docker) for tests and CI.
#
#   scripts/kafka.sh start            start the broker (no-op if it already answers)
#   scripts/kafka.sh stop [--clean]   stop it; --clean also deletes its data
#   scripts/kafka.sh reset            stop it and delete its data (next start is fresh)
#   scripts/kafka.sh restart          stop + start (data kept)
#   scripts/kafka.sh status           exit 0 if the broker answers, 1 otherwise
#
# The broker jars are fetched from Maven Central with Maven (scripts/kafka/pom.xml)
# into $KAFKA_HOME_DIR/libs on first use. Everything lives in $KAFKA_HOME_DIR:
#   libs/  data/  server.properties  log4j.properties  broker.log  broker.pid
#   credentials.env  admin.properties (with authentication: the principals' passwords, mode 600)
#
# Authentication (KAFKA_AUTH=scram, the default): clients authenticate with SASL/SCRAM-SHA-512 on the client
# listener (SASL_PLAINTEXT on loopback), the controller listener asks for the admin's password (SASL/PLAIN), the
# StandardAuthorizer refuses whatever no ACL allows, and `admin` is the only super user. The first format creates one
# SCRAM user per service with a random password and writes them to $KAFKA_HOME_DIR/credentials.env; the ACLs are
# granted by `npm run kafka:provision` (or the test harness, per suite).
# A data directory formatted in the other mode (an old .kafka without authentication) is formatted again.
#
# Environment:
#   KAFKA_PORT              client port on 127.0.0.1               [9092]
#   KAFKA_CONTROLLER_PORT   KRaft controller port on 127.0.0.1     [9093]
#   KAFKA_PARTITIONS        num.partitions for auto-created topics  [4]
#   KAFKA_HOME_DIR          runtime directory                       [<repo>/.kafka]
#   KAFKA_VERSION           org.apache.kafka:kafka_2.13 version     [3.9.1]
#   KAFKA_HEAP_OPTS         broker heap                             [-Xms256m -Xmx512m]
#   KAFKA_START_TIMEOUT     seconds to wait for readiness           [60]
#   KAFKA_STOP_TIMEOUT      seconds to wait after SIGTERM           [30]
#   KAFKA_AUTH              scram (SASL/SCRAM + ACLs) or none       [scram]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_PARTITIONS="${KAFKA_PARTITIONS:-4}"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$REPO_ROOT/.kafka}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_AUTH="${KAFKA_AUTH:-scram}"
case "$KAFKA_AUTH" in scram | none) ;; *) echo "[kafka] ERROR: KAFKA_AUTH must be scram or none, got '$KAFKA_AUTH'" >&2; exit 2 ;; esac

POM="$SCRIPT_DIR/kafka/pom.xml"
LIBS_DIR="$KAFKA_HOME_DIR/libs"
LIBS_MARKER="$LIBS_DIR/.kafka-version"
DATA_DIR="$KAFKA_HOME_DIR/data"
PROPS="$KAFKA_HOME_DIR/server.properties"
LOG4J="$KAFKA_HOME_DIR/log4j.properties"
TOOLS_LOG4J="$KAFKA_HOME_DIR/tools-log4j.properties"
LOG_FILE="$KAFKA_HOME_DIR/broker.log"
PID_FILE="$KAFKA_HOME_DIR/broker.pid"
LOCK_FILE="$KAFKA_HOME_DIR/.lock"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
CREDENTIALS="$KAFKA_HOME_DIR/credentials.env"
ADMIN_PROPS="$KAFKA_HOME_DIR/admin.properties"
# The mode the data directory was formatted in (scram or none): a broker never runs half-configured.
AUTH_MARKER="$DATA_DIR/.storecredit-auth"
# One SCRAM user per principal: the same names as libs/messaging/src/acls.ts (its spec checks this line).
PRINCIPALS=(admin gateway checkout refund ledger-worker reporting dlq)

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------
# helpers

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$KAFKA_HOST/$1" >/dev/null 2>&1
}

# True if $1 is a live process that is our broker (kafka.Kafka on our config).
is_broker_pid() {
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"kafka.Kafka $PROPS"* ]]
}

# Prints the pid of our running broker (from the pid file, or else found by
# its exact server.properties path), or nothing.
broker_pid() {
  local pid=""
  if [[ -f "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' <"$PID_FILE" || true)"
    if is_broker_pid "$pid"; then echo "$pid"; return 0; fi
  fi
  pid="$(pgrep -f -- "kafka\\.Kafka $PROPS\$" 2>/dev/null | head -n1 || true)"
  if [[ -n "$pid" ]] && is_broker_pid "$pid"; then echo "$pid"; fi
}

libs_ok() {
  [[ -f "$LIBS_MARKER" ]] &&
    [[ "$(cat "$LIBS_MARKER")" == "$KAFKA_VERSION" ]] &&
    [[ -f "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]]
}

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found on PATH (Java 17+ needed)"
}

fetch_libs() {
  libs_ok && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed once to fetch the Kafka jars)"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR ..."
  local tmp="$KAFKA_HOME_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  local mvn_log="$KAFKA_HOME_DIR/mvn-fetch.log"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" \
      dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" \
      -DincludeScope=runtime \
      -DoutputDirectory="$tmp" </dev/null >"$mvn_log" 2>&1 9>&-; then
    rm -rf "$tmp"
    tail -n 30 "$mvn_log" | sed 's/^/    /' >&2
    die "mvn could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (full output: $mvn_log)"
  fi
  rm -f "$mvn_log"
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"; }
  echo "$KAFKA_VERSION" >"$tmp/.kafka-version"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars"
}

# Without authentication both listeners are PLAINTEXT. With it, the client listener is SASL_PLAINTEXT with SCRAM and
# the authorizer, and the KRaft controller listener is SASL_PLAINTEXT with PLAIN: SCRAM users live in the metadata log,
# which the controller must read before it could check them, so the controller knows the admin from its static JAAS
# line. The broker registers with the controller, and talks to itself over the client listener, as admin; `admin` is
# the only super user. No listener takes an unauthenticated connection, so no one is User:ANONYMOUS (Kafka >= 3.7
# admin clients can bootstrap to the controller port, KIP-919: a PLAINTEXT controller listener with ANONYMOUS as super
# user would make anyone who reaches it a super user).
listener_config() {
  if [[ "$KAFKA_AUTH" == none ]]; then
    cat <<EOF
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
EOF
    return 0
  fi
  cat <<EOF
listeners=SASL_PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(credential KAFKA_PASSWORD_ADMIN)";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$(credential KAFKA_PASSWORD_ADMIN)" user_admin="$(credential KAFKA_PASSWORD_ADMIN)";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
EOF
}

# A value of credentials.env (KEY=value lines), or nothing.
credential() {
  [[ -f "$CREDENTIALS" ]] || return 0
  sed -n "s/^$1=//p" "$CREDENTIALS" | head -n1
}

# KAFKA_PASSWORD_<NAME> of a principal (ledger-worker: KAFKA_PASSWORD_LEDGER_WORKER).
password_key() {
  local name="${1^^}"
  printf 'KAFKA_PASSWORD_%s' "${name//-/_}"
}

# Random passwords for every principal, drawn once per format (kept as long as the data directory is).
write_credentials() {
  local principal
  (
    umask 077
    {
      echo "# Written by scripts/kafka.sh when it formatted $DATA_DIR: each principal's SCRAM-SHA-512 password."
      echo "KAFKA_SASL_MECHANISM=scram-sha-512"
      for principal in "${PRINCIPALS[@]}"; do
        printf '%s=%s\n' "$(password_key "$principal")" "$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
      done
    } >"$CREDENTIALS.tmp"
  )
  chmod 600 "$CREDENTIALS.tmp"
  mv -f "$CREDENTIALS.tmp" "$CREDENTIALS"
}

# The Kafka tools' client settings as admin (TopicCommand --command-config, ConfigCommand).
write_admin_properties() {
  rm -f "$ADMIN_PROPS"
  [[ "$KAFKA_AUTH" == scram ]] || return 0
  (
    umask 077
    cat >"$ADMIN_PROPS" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(credential KAFKA_PASSWORD_ADMIN)";
EOF
  )
}

write_config() {
  write_admin_properties
  # server.properties holds the admin's password: readable by its owner alone.
  (umask 077; : >"$PROPS")
  cat >"$PROPS" <<EOF
# Generated by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
$(listener_config)
controller.listener.names=CONTROLLER
log.dirs=$DATA_DIR
num.partitions=$KAFKA_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=16777216
EOF

  # Broker logging: INFO for the broker, WARN for the chatty parts. stdout is
  # redirected to broker.log by the launcher, so this only ever writes there.
  cat >"$LOG4J" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=WARN
log4j.logger.org.apache.kafka.raft=WARN
log4j.logger.org.apache.kafka.storage=WARN
log4j.logger.kafka.coordinator=WARN
log4j.logger.org.apache.kafka.coordinator=WARN
log4j.logger.org.apache.zookeeper=WARN
EOF

  # CLI tools (StorageTool, TopicCommand): warnings only, on stderr.
  cat >"$TOOLS_LOG4J" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# Runs a Kafka CLI class with the fetched jars, quietly.
run_tool() {
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$TOOLS_LOG4J" \
    -cp "$LIBS_DIR/*" "$@" 9>&-
}

random_cluster_id() {
  # Kafka cluster ids are 16 random bytes, base64url without padding (22 chars).
  # One in 64 of those starts with '-', which the format tool's argument parser
  # takes for an option ("--cluster-id: expected one argument"); Kafka's own
  # Uuid.randomUuid() draws again in that case, and so do we.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s' "$id"
}

# The mode the data directory was formatted in: scram, none (also a directory formatted before this marker
# existed, which had no authentication), or nothing when it is not formatted.
formatted_auth() {
  if [[ -f "$AUTH_MARKER" ]]; then cat "$AUTH_MARKER"; elif [[ -f "$DATA_DIR/meta.properties" ]]; then echo none; fi
}

# Before write_config: a data directory of the other mode (or whose passwords are lost) is deleted, to be formatted
# again; a fresh format draws new passwords.
prepare_storage() {
  local formatted
  formatted="$(formatted_auth)"
  if [[ -n "$formatted" && "$formatted" != "$KAFKA_AUTH" ]]; then
    log "$DATA_DIR was formatted with KAFKA_AUTH=$formatted, not $KAFKA_AUTH: deleting it to format it again"
    rm -rf "$DATA_DIR"
  elif [[ "$KAFKA_AUTH" == scram && -n "$formatted" && -z "$(credential KAFKA_PASSWORD_ADMIN)" ]]; then
    log "$CREDENTIALS is missing: deleting $DATA_DIR to format it again with new passwords"
    rm -rf "$DATA_DIR"
  fi
  if [[ "$KAFKA_AUTH" == scram && ! -f "$DATA_DIR/meta.properties" ]]; then
    mkdir -p "$KAFKA_HOME_DIR"
    write_credentials
  fi
  # Without authentication no passwords are left behind for the test harness to send.
  if [[ "$KAFKA_AUTH" == none ]]; then rm -f "$CREDENTIALS"; fi
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local id
  id="$(random_cluster_id)"
  log "formatting $DATA_DIR (cluster id $id, KAFKA_AUTH=$KAFKA_AUTH)"
  mkdir -p "$DATA_DIR"
  local scram=() principal
  if [[ "$KAFKA_AUTH" == scram ]]; then
    for principal in "${PRINCIPALS[@]}"; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$principal,password=$(credential "$(password_key "$principal")")]")
    done
  fi
  run_tool kafka.tools.StorageTool format -t "$id" -c "$PROPS" --ignore-formatted "${scram[@]}" >/dev/null ||
    die "kafka.tools.StorageTool format failed"
  echo "$KAFKA_AUTH" >"$AUTH_MARKER"
  if [[ "$KAFKA_AUTH" == scram ]]; then
    log "SCRAM users ${PRINCIPALS[*]} created; their passwords are in $CREDENTIALS (grant the ACLs: npm run kafka:provision)"
  fi
}

# The broker really serves requests (not just an open socket); as admin when it asks for authentication.
broker_ready() {
  local admin_config=()
  [[ "$KAFKA_AUTH" == scram && -f "$ADMIN_PROPS" ]] && admin_config=(--command-config "$ADMIN_PROPS")
  timeout 20 java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$TOOLS_LOG4J" -cp "$LIBS_DIR/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list "${admin_config[@]}" \
    >/dev/null 2>&1 9>&-
}

show_log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    log "last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" | sed 's/^/    /' >&2
  fi
}

with_lock() {
  mkdir -p "$KAFKA_HOME_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "timed out waiting for the lock $LOCK_FILE"
}

# ---------------------------------------------------------------------------
# commands

cmd_start() {
  local pid
  # Fast path: our broker is up and answering.
  pid="$(broker_pid)"
  if [[ -n "$pid" ]] && port_open "$KAFKA_PORT"; then
    log "already running (pid $pid) on $BOOTSTRAP"
    return 0
  fi

  with_lock
  require_java

  pid="$(broker_pid)"
  if [[ -n "$pid" ]] && port_open "$KAFKA_PORT"; then
    # Another `start` got the lock first and brought it up.
    log "already running (pid $pid) on $BOOTSTRAP"
    return 0
  fi
  if [[ -z "$pid" ]]; then
    if port_open "$KAFKA_PORT"; then
      # Someone else's broker (another checkout, a CI service, ...).
      if libs_ok && ! broker_ready; then
        die "$BOOTSTRAP is in use by something that does not answer as a Kafka broker to this checkout (it may be a broker of another checkout, with other passwords or none: stop it with that checkout's scripts/kafka.sh stop)"
      fi
      log "a broker not started by this script already answers on $BOOTSTRAP; using it"
      return 0
    fi
    if port_open "$KAFKA_CONTROLLER_PORT"; then
      die "controller port $KAFKA_HOST:$KAFKA_CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"
    fi

    fetch_libs
    prepare_storage
    write_config
    format_storage

    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
    log "starting Kafka $KAFKA_VERSION (KRaft) on $BOOTSTRAP, controller on $KAFKA_HOST:$KAFKA_CONTROLLER_PORT"
    # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of options
    setsid nohup java $KAFKA_HEAP_OPTS \
      -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
      -Djava.awt.headless=true "-XX:ErrorFile=$KAFKA_HOME_DIR/hs_err_pid%p.log" \
      "-Dlog4j.configuration=file:$LOG4J" "-Dkafka.logs.dir=$KAFKA_HOME_DIR" \
      -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS" \
      </dev/null >"$LOG_FILE" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
  else
    log "broker process $pid exists but does not answer yet; waiting for it"
  fi

  # Wait until the port answers and the broker serves metadata requests.
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      # (setsid may have forked: look the broker up by its config path.)
      pid="$(broker_pid)"
      if [[ -z "$pid" ]]; then
        rm -f "$PID_FILE"
        log "ERROR: the broker process exited during startup"
        show_log_tail
        exit 1
      fi
      echo "$pid" >"$PID_FILE"
    fi
    if port_open "$KAFKA_PORT" && broker_ready; then
      log "ready on $BOOTSTRAP (pid $pid, ${SECONDS}s)"
      if [[ "$KAFKA_AUTH" == scram ]]; then log "SASL/SCRAM-SHA-512 and ACLs: the passwords are in $CREDENTIALS"; fi
      return 0
    fi
    sleep 0.5
  done
  log "ERROR: the broker did not become ready within ${KAFKA_START_TIMEOUT}s (pid $pid still running; see $LOG_FILE)"
  show_log_tail
  exit 1
}

cmd_stop() {
  local clean="${1:-}"
  mkdir -p "$KAFKA_HOME_DIR"
  with_lock
  local pid
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"
  else
    log "stopping broker (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
    log "stopped"
  fi
  rm -f "$PID_FILE"
  if [[ "$clean" == "--clean" ]]; then
    rm -rf "$DATA_DIR"
    log "removed $DATA_DIR"
  fi
  if port_open "$KAFKA_PORT"; then
    log "warning: something not started by this script still listens on $BOOTSTRAP"
  fi
}

cmd_status() {
  local pid
  pid="$(broker_pid)"
  if port_open "$KAFKA_PORT"; then
    if [[ -n "$pid" ]]; then
      echo "running (pid $pid) on $BOOTSTRAP"
    else
      echo "running on $BOOTSTRAP (not started by this script)"
    fi
    return 0
  fi
  if [[ -n "$pid" ]]; then
    echo "not running: process $pid exists but $BOOTSTRAP does not answer (starting or hung; see $LOG_FILE)"
  else
    echo "not running"
  fi
  return 1
}

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    start) cmd_start ;;
    stop)
      case "${1:-}" in
        "" | --clean) cmd_stop "${1:-}" ;;
        *) usage >&2; exit 2 ;;
      esac
      ;;
    reset) cmd_stop --clean ;;
    restart) cmd_stop; exec 9>&-; cmd_start ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
