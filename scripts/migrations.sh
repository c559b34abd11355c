#!/usr/bin/env bash
# Developer tool: scripts/migrations.sh add <Name>   adds a migration for SQLite and PostgreSQL
#                 scripts/migrations.sh reset        regenerates the single Initial migration (before the first release only)
set -euo pipefail
cd "$(dirname "$0")/.."
ver=10.0.14
dir=.tools/efdesign
if [[ ! -f $dir/lib/net10.0/Microsoft.EntityFrameworkCore.Design.dll ]]; then
  mkdir -p "$dir"
  curl -sSfL -o .tools/efdesign.nupkg "https://api.nuget.org/v3-flatcontainer/microsoft.entityframeworkcore.design/$ver/microsoft.entityframeworkcore.design.$ver.nupkg"
  (cd "$dir" && unzip -q -o ../efdesign.nupkg)
fi
web=src/CivicDesk.Web
case "${1:-}" in
  add) name=$2 ;;
  reset) rm -rf "$web/Data/Migrations"; name=Initial ;;
  *) echo "usage: $0 add <Name> | reset" >&2; exit 2 ;;
esac
dotnet run --project tools/CivicDesk.MigrationTool -- "$web" "$name"
