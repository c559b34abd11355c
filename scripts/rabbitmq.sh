#!/usr/bin/env bash
# A throw-away RabbitMQ broker on 127.0.0.1 for tests (Debian's rabbitmq-server; installed by test.sh when missing).
#   scripts/rabbitmq.sh start DIR     start a broker whose state, logs, cookie and ports live in DIR; prints the AMQP URI
#   scripts/rabbitmq.sh restart DIR   kill -9 it (a crash) and start it again on the same ports and data
#   scripts/rabbitmq.sh stop DIR      stop it and delete DIR
# Random ports for AMQP, the Erlang distribution and epmd (ERL_EPMD_PORT), so it never meets a broker or epmd already
# running on the machine; nothing is listening beyond loopback.
set -euo pipefail
cmd=${1:?start|restart|stop} dir=${2:?state directory}
bin=/usr/lib/rabbitmq/bin
[[ -x $bin/rabbitmq-server ]] || { echo "rabbitmq-server is not installed (apt-get install rabbitmq-server)" >&2; exit 1; }

env_for() {
  # shellcheck disable=SC1091
  source "$dir/ports"
  export HOME=$dir RABBITMQ_HOME=/usr/lib/rabbitmq/lib/rabbitmq_server-$(ls /usr/lib/rabbitmq/lib | sed -n 's/^rabbitmq_server-//p' | sort -V | tail -n 1)
  export RABBITMQ_NODENAME=civicdesk-test@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$amqp_port
  export RABBITMQ_DIST_PORT=$dist_port ERL_EPMD_PORT=$epmd_port ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/rabbit.pid
  export RABBITMQ_CONFIG_FILE=$dir/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_ENABLED_PLUGINS=
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} -kernel inet_dist_listen_min $dist_port -kernel inet_dist_listen_max $dist_port"
  export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
}

amqp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null; }

boot() {
  env_for
  "$bin/rabbitmq-server" >"$dir/log/server.out" 2>&1 &
  # Ready when the AMQP listener accepts connections: RabbitMQ opens it last, after recovering its queues.
  # (A plain TCP check: each rabbitmqctl call boots an Erlang VM, seconds apiece on a busy machine.)
  for _ in $(seq 1 600); do
    if amqp_up; then return 0; fi
    sleep 0.2
  done
  echo "RabbitMQ did not start; see $dir/log" >&2; tail -n 30 "$dir/log/server.out" >&2; return 1
}

halt() { # a crash, not a clean stop: kill -9 the broker by its pid, then its private epmd
  env_for
  if [[ -f $dir/rabbit.pid ]]; then kill -9 "$(cat "$dir/rabbit.pid")" 2>/dev/null || true; fi
  for _ in $(seq 1 100); do amqp_up || break; sleep 0.1; done
  epmd -kill >/dev/null 2>&1 || true
}

case $cmd in
  start)
    mkdir -p "$dir/log" "$dir/mnesia"
    free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
    printf 'amqp_port=%s\ndist_port=%s\nepmd_port=%s\n' "$(free)" "$(free)" "$(free)" >"$dir/ports"
    printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\ndisk_free_limit.absolute = 50MB\n' "$(. "$dir/ports"; echo "$amqp_port")" >"$dir/rabbitmq.conf"
    : >"$dir/rabbitmq-env.conf"; echo '[].' >"$dir/advanced.config"; echo '[].' >"$dir/enabled_plugins"
    boot
    echo "amqp://guest:guest@127.0.0.1:$amqp_port/"
    ;;
  restart) halt; boot ;;
  stop) halt; rm -rf "$dir" ;;
  *) echo "usage: $0 start|restart|stop DIR" >&2; exit 2 ;;
esac
