#!/usr/bin/env bash
# The real Bluesky PDS used by the Bluesky connector tests (tests/pds: @atproto/pds + @did-plc/server). Runs on Node.js 18
# or later: Debian 12's own nodejs (18.20) and NodeSource's Node 20 were both tried (see docs/development.md).
#   ./scripts/pds.sh install   install tests/pds/node_modules once (npm ci; ~2.5 min, compiles better-sqlite3);
#                              skipped while the installed lock file matches package-lock.json
#   ./scripts/pds.sh start     run the PLC directory and PDS on 127.0.0.1 in the foreground (prints their URLs)
# The tests start tests/pds/start.js themselves and skip (saying why) when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/pds"

case "${1:-install}" in
  install)
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
      echo "pds.sh: node or npm is not installed, so the PDS tests will be skipped (they say so)."
      echo "        To run them: install Debian's nodejs and npm (sudo apt-get install nodejs npm), then ./scripts/pds.sh install"
      exit 0
    fi
    major=$(node -p 'process.versions.node.split(".")[0]')
    if (( major < 18 )); then
      echo "pds.sh: the test PDS needs Node.js 18 or later and this node is $(node --version), so the PDS tests will be skipped."
      echo "        To run them: install Debian 12's nodejs (18) or Node 20 from NodeSource (https://github.com/nodesource/distributions), then ./scripts/pds.sh install"
      exit 0
    fi
    # better-sqlite3 is compiled from source (its prebuilt binaries come from GitHub, which may be out of reach).
    for tool in make g++ python3; do
      if ! command -v "$tool" >/dev/null 2>&1; then
        echo "pds.sh: $tool is missing; better-sqlite3 compiles from source: install build-essential and python3 (./test.sh does)" >&2
        exit 1
      fi
    done
    if cmp -s package-lock.json node_modules/.civicdesk-installed-lock && [[ -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]]; then
      # Built for this node? A native module compiled for another major version (18 and 20 differ) does not load.
      if node -e 'new (require("better-sqlite3"))(":memory:").close()' >/dev/null 2>&1; then
        echo "pds.sh: tests/pds/node_modules is up to date"
        exit 0
      fi
      echo "pds.sh: better-sqlite3 was built for another Node.js version; rebuilding it for $(node --version)..."
      npm rebuild better-sqlite3 --loglevel=error
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
