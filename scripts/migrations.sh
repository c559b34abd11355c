#!/usr/bin/env bash
# Developer tool, the standard EF Core way (dotnet-ef from .config/dotnet-tools.json):
#   scripts/migrations.sh add <Name>     adds one migration for SQLite and one for PostgreSQL
#   scripts/migrations.sh remove         removes the last migration of both providers (e.g. a throw-away one)
#   scripts/migrations.sh list           lists the migrations of both providers
#   scripts/migrations.sh reset          regenerates the single Initial migration (before the first release only)
# The design-time factories in src/CivicDesk.Web/Data/DesignTimeFactories.cs build each context without starting
# the app, so no database is needed to add or remove a migration.
set -euo pipefail
cd "$(dirname "$0")/.."
web=src/CivicDesk.Web
usage() { echo "usage: $0 add <Name> | remove | list | reset" >&2; exit 2; }

dotnet tool restore >/dev/null
# Build once, then let each dotnet-ef call reuse it (--no-build): two providers, one compile.
dotnet build "$web" -c Debug -v quiet -nologo >/dev/null

ef() { # ef <provider> <ef arguments...>
  local provider=$1; shift
  dotnet tool run dotnet-ef "$@" --project "$web" --startup-project "$web" \
    --context "${provider}CivicDeskDb" --no-build
}

case "${1:-}" in
  add)
    [[ -n "${2:-}" ]] || usage
    for provider in Sqlite Postgres; do
      ef "$provider" migrations add "$2" --output-dir "Data/Migrations/$provider" \
        --namespace "CivicDesk.Web.Data.Migrations.$provider"
    done ;;
  remove)
    # --force: skip the "already applied?" check against a live database. The design-time factories point at
    # throw-away design databases (design.db, civicdesk_design), never at a real one, so nothing is reverted.
    for provider in Sqlite Postgres; do ef "$provider" migrations remove --force; done ;;
  list)
    for provider in Sqlite Postgres; do echo "$provider:"; ef "$provider" migrations list --no-connect; done ;;
  reset)
    rm -rf "$web/Data/Migrations"
    for provider in Sqlite Postgres; do
      ef "$provider" migrations add Initial --output-dir "Data/Migrations/$provider" \
        --namespace "CivicDesk.Web.Data.Migrations.$provider"
    done ;;
  *) usage ;;
esac
