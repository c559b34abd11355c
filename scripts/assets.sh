#!/usr/bin/env bash
# Installs the front-end packages from npm (package-lock.json pins them) and copies what the pages use into
# src/CivicDesk.Web/wwwroot/lib and /assets. No bundler: the packages ship built CSS and JS.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages need root: sudo when not root, and a clear word when there is no sudo either.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "$(basename "$0"): \"$*\" needs root: run this as root, or install sudo" >&2; return 1
  fi
}
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: installing Debian's nodejs and npm (with sudo when not root)" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# Debian 12's Node 18 is enough here: these packages ship built CSS and JS (one declares "node >=20" in its engines,
# which only matters to its own build), and sass is pinned to 1.99.0, the last release that runs on Node 18.
stamp=node_modules/.civicdesk-stamp
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
www=src/CivicDesk.Web/wwwroot
lib=$www/lib
rm -rf "$lib"
mkdir -p "$lib/govuk" "$lib/moj" "$lib/htmx" "$lib/leaflet" "$lib/leaflet.markercluster" "$lib/axe" "$lib/chartjs" "$lib/geoman" "$www/assets/images"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$lib/govuk/"
# The CSS is compiled from Sass with the font stack GOV.UK Frontend documents for services off GOV.UK (see
# src/CivicDesk.Web/Styles/govuk-frontend.scss): no GDS Transport, so no font files are requested.
npx --no-install sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
  src/CivicDesk.Web/Styles/govuk-frontend.scss "$lib/govuk/govuk-frontend.min.css"
# Images only: the GDS Transport font and the crest are for GOV.UK itself, not for councils' own sites.
cp node_modules/govuk-frontend/dist/govuk/assets/images/* "$www/assets/images/"
cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js "$lib/moj/"
# MOJ Frontend's built CSS names GDS Transport first (it declares no @font-face, so nothing is fetched); drop the
# name so a machine that happens to have the font installed shows the same Arial stack as GOV.UK Frontend above.
sed -i 's/font-family:GDS Transport,/font-family:/g' "$lib/moj/moj-frontend.min.css"
cp node_modules/@ministryofjustice/frontend/moj/assets/images/* "$www/assets/images/"
cp node_modules/htmx.org/dist/htmx.min.js "$lib/htmx/"
cp -r node_modules/leaflet/dist/. "$lib/leaflet/"
# Cases: marker clustering on the public map of reported problems.
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css "$lib/leaflet.markercluster/"
cp node_modules/axe-core/axe.min.js "$lib/axe/"
# Dashboards: Chart.js (UMD build, no bundler) and its date adapter (the bundle carries date-fns) for time axes.
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chartjs-adapter-date-fns/dist/chartjs-adapter-date-fns.bundle.min.js "$lib/chartjs/"
# Incidents: drawing an incident's area (circle or polygon) on the Leaflet map; the dist file bundles its own dependencies.
cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css "$lib/geoman/"
