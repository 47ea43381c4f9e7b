#!/bin/sh
# Refresh the vendored sigma.js and graphology builds from the npm registry, exactly as
# package-lock.json pins them (change the versions in package.json and run
# `npm install --package-lock-only` first to move to others), and record each file's sha256 in
# vendor.json, which tests/e2e/test_map_sigma_vendor.py checks against the lock file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund)
cp "$work/node_modules/sigma/dist/sigma.min.js" "$here/sigma.min.js"
cp "$work/node_modules/sigma/LICENSE.txt" "$here/LICENSE-sigma.txt"
cp "$work/node_modules/graphology/dist/graphology.umd.min.js" "$here/graphology.umd.min.js"
cp "$work/node_modules/graphology/LICENSE.txt" "$here/LICENSE-graphology.txt"
python3 - "$here" <<'PY'
import hashlib, json, sys
from pathlib import Path
here = Path(sys.argv[1])
lock = json.loads((here / "package-lock.json").read_text("utf-8"))["packages"]
files = {"sigma.min.js": ("sigma", "dist/sigma.min.js"),
         "graphology.umd.min.js": ("graphology", "dist/graphology.umd.min.js")}
out = {name: {"package": pkg, "version": lock[f"node_modules/{pkg}"]["version"],
              "integrity": lock[f"node_modules/{pkg}"]["integrity"], "from": path,
              "sha256": hashlib.sha256((here / name).read_bytes()).hexdigest()}
       for name, (pkg, path) in files.items()}
(here / "vendor.json").write_text(json.dumps(out, indent=2) + "\n", "utf-8")
PY
echo "refreshed: $(ls "$here")"
