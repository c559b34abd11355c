#!/usr/bin/env bash
# Runs every CivicDesk test project. Installs what the tests need when missing (Debian chromium and postgresql,
# rabbitmq-server, npm assets), starts a throw-away PostgreSQL and RabbitMQ on 127.0.0.1, runs the web tests on SQLite
# and again on PostgreSQL (with the multi-node tests, Category=Cluster, which need both), and ends with the line CI
# reads: "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
started=$(date +%s)

# Debian packages need root: sudo when not root, and a clear word when there is no sudo either.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "$(basename "$0"): \"$*\" needs root: run this as root, or install sudo" >&2; return 1
  fi
}

# --- prerequisites ---------------------------------------------------------------------------------------------
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $pg_bin && -x $pg_bin/initdb ]] || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# tests/pds compiles better-sqlite3 from source (its prebuilt binaries are downloaded from GitHub, which may be out of
# reach): node-gyp needs a C++ tool chain, make and Python.
{ command -v make && command -v g++; } >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v git >/dev/null 2>&1 || missing+=(git)
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  # apt checks signatures as its unprivileged _apt user, who must be able to write /dev/null. A /dev/null recreated
  # by hand (mknod under umask 022 leaves it 0644) makes apt say "gpgv ... not installed" and refuse every package.
  if [[ ! -c /dev/null || ! -w /dev/null || $(stat -c %a /dev/null) != 666 ]]; then
    echo "/dev/null is not a character device everyone can write ($(stat -c '%F %a' /dev/null 2>&1)): repairing it for apt"
    as_root sh -c 'rm -f /dev/null && mknod -m 666 /dev/null c 1 3' || echo "could not repair /dev/null: apt will fail"
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "apt-get install failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
./scripts/assets.sh || { echo "front-end assets failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
./scripts/pds.sh install || { echo "test PDS install failed"; echo "tests: 0 passed, 1 failed"; exit 1; }

# --- throw-away PostgreSQL on loopback -------------------------------------------------------------------------
pg_dir=$(mktemp -d /tmp/civicdesk-pg.XXXXXX)
pg_port=$(( 20000 + RANDOM % 20000 ))
pg_user=$(id -un)
run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ $(id -u) -eq 0 ]]; then chown postgres "$pg_dir"; pg_user=postgres; fi
stop_pg() { run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"; }
# --- throw-away RabbitMQ on loopback (scripts/rabbitmq.sh: random ports, own epmd, state in a temp dir) ------------
rabbit_dir=$(mktemp -d /tmp/civicdesk-rabbitmq.XXXXXX)
stop_all() { scripts/rabbitmq.sh stop "$rabbit_dir/broker" >/dev/null 2>&1; rm -rf "$rabbit_dir"; stop_pg; }
trap stop_all EXIT
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" --auth=trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
  || run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c max_connections=1000" start >/dev/null
export CIVICDESK_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=$pg_user;Database=postgres;Pooling=true;Maximum Pool Size=50"
if rabbit_uri=$(scripts/rabbitmq.sh start "$rabbit_dir/broker"); then
  export CIVICDESK_TEST_RABBITMQ=$rabbit_uri CIVICDESK_TEST_RABBITMQ_DIR=$rabbit_dir/broker
else
  echo "RabbitMQ did not start: the multi-node tests will fail"
fi

# --- build once, then run each project -------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Hundreds of in-process test hosts: no configuration file watchers (each costs an inotify instance, 128 by default).
export DOTNET_hostBuilder__reloadConfigOnChange=false
if [[ $(id -u) -eq 0 ]]; then sysctl -qw fs.inotify.max_user_instances=8192 2>/dev/null || true; fi
results=$(mktemp -d)
if ! dotnet build CivicDesk.slnx -c Release -v quiet -nologo 2>&1 | tee "$results/build.log" | grep -E "error|rror\(s\)" ; then :; fi
if ! grep -q "0 Error(s)" "$results/build.log"; then echo "build failed"; echo "tests: 0 passed, 1 failed"; exit 1; fi
echo "set-up and build: $(( $(date +%s) - started ))s"

passed=0; failed=0; skipped=0
skip_reasons() { # the minimal console log names skipped tests but not why: count them by reason from the TRX file
  [[ -f $1 ]] && python3 - "$1" <<'PY'
import collections, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
reasons = collections.Counter(
    (r.findtext("t:Output/t:ErrorInfo/t:Message", "", ns) or "no reason given").strip()
    for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult[@outcome='NotExecuted']", ns))
for reason, n in reasons.most_common():
    print(f"      {n} skipped: {reason}")
PY
}
run_tests() { # label, project, [filter], extra env...
  local label=$1 project=$2 filter=(); shift 2
  if [[ ${1:-} == --filter ]]; then filter=(--filter "$2"); shift 2; fi
  local log="$results/$label.log"
  echo "== $label"
  local t0; t0=$(date +%s)
  env "$@" dotnet test "$project" -c Release --no-build "${filter[@]}" --logger "console;verbosity=minimal" \
    --logger "trx;LogFileName=$label.trx" --results-directory "$results" >"$log" 2>&1
  # Each failure with its message (the lines between "Error Message:" and "Stack Trace:") and the test's own frames.
  awk '/^[[:space:]]+Failed /{print; next} /Error Message:/{m=1; n=0; print; next} /Stack Trace:/{m=0; next}
       m && n < 8 {print; n++} /^[[:space:]]+at .*Tests/{print}' "$log" | head -n 120
  local line; line=$(grep -E "(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+" "$log" | tail -n 1)
  if [[ -z $line ]]; then
    echo "   $label did not finish (see below)"; tail -n 30 "$log"; failed=$((failed + 1)); return
  fi
  local f p s; f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line"); p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")
  s=$(sed -nE 's/.*Skipped: +([0-9]+).*/\1/p' <<<"$line"); s=${s:-0}
  # Skipped tests need something this machine lacks (../shared/data, the test PDS): counted by reason below.
  echo "   $label: $p passed, $f failed, $s skipped ($(( $(date +%s) - t0 )) s)"
  ((s > 0)) && skip_reasons "$results/$label.trx"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}
run_tests triage tests/CivicDesk.Triage.Tests
run_tests web-sqlite tests/CivicDesk.Web.Tests --filter "Category!=Cluster" CIVICDESK_TEST_PROVIDER=sqlite
run_tests web-postgres tests/CivicDesk.Web.Tests CIVICDESK_TEST_PROVIDER=postgres
run_tests browser tests/CivicDesk.BrowserTests

echo "test wall time: $(( $(date +%s) - started ))s"
echo "skipped: $skipped (counted by reason under each project above)"
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
