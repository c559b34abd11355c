#!/usr/bin/env bash
# Runs CivicDesk with the demo organisation at http://127.0.0.1:5080 on an embedded SQLite file under ./data
# (or $CIVICDESK_DATA_DIR). Extra arguments go to the app, e.g. ./run.sh --urls http://127.0.0.1:5081
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
./scripts/assets.sh
export CIVICDESK_DATA_DIR="${CIVICDESK_DATA_DIR:-$root/data}"
export Demo__Enabled="${Demo__Enabled:-true}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/CivicDesk.Web -c Release -v quiet -nologo
# The default address comes first so an --urls given by the caller wins (last value wins in ASP.NET Core).
exec dotnet src/CivicDesk.Web/bin/Release/net10.0/CivicDesk.Web.dll --contentRoot "$root/src/CivicDesk.Web" --urls http://127.0.0.1:5080 "$@"
