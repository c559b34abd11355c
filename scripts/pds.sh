#!/usr/bin/env bash
# The real Bluesky PDS used by the Bluesky connector tests (tests/pds: @atproto/pds + @did-plc/server on Node 20).
#   ./scripts/pds.sh install   install tests/pds/node_modules once (npm ci; ~2.5 min, compiles better-sqlite3);
#                              skipped while the installed lock file matches package-lock.json
#   ./scripts/pds.sh start     run the PLC directory and PDS on 127.0.0.1 in the foreground (prints their URLs)
# The tests start tests/pds/start.js themselves and skip (saying why) when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/pds"

case "${1:-install}" in
  install)
    if ! command -v node >/dev/null 2>&1; then echo "pds.sh: node is not installed; the PDS tests will be skipped"; exit 0; fi
    if cmp -s package-lock.json node_modules/.civicdesk-installed-lock && [[ -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]]; then
      echo "pds.sh: tests/pds/node_modules is up to date"
      exit 0
    fi
    echo "pds.sh: installing @atproto/pds and @did-plc/server (a few minutes)..."
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.civicdesk-installed-lock
    ;;
  start)
    exec node start.js
    ;;
  *)
    echo "usage: $0 [install|start]" >&2
    exit 2
    ;;
esac
