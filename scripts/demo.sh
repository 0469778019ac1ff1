#!/usr/bin/env bash
# The main job on a fresh clone: install, build, create a demo workspace with a shared Dagster service
# and a working module integrated into it, then prove the module with real Dagster (its tests and a
# materialization with `dg launch`). Everything lands in .demo/ (throwaway, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh all

WS="$PWD/.demo/workspace"
rm -rf "$WS"
mkdir -p "$WS"
dmb() { ./bin/dmb --workspace "$WS" "$@"; }

dmb init --yes
dmb new demo-pipeline --db none --requires none --governance standard --integrate yes --deploy later --yes \
  --description "Demo module created by scripts/demo.sh"
dmb workspace validate

MODULE="$WS/projects/demo-pipeline"
echo
echo "== the module's own tests (real Dagster $(.venv/bin/python -c 'import dagster; print(dagster.__version__)'))"
(cd "$MODULE" && "$OLDPWD/.venv/bin/pytest" -q -p no:cacheprovider)
echo
echo "== materialize every asset into $WS/data/dagster_storage (dg launch: the module is a dg project)"
# PYTHONPATH=src stands in for `pip install -e .`; warnings as errors: a superseded command would fail here.
(cd "$MODULE" && PYTHONPATH=src PYTHONWARNINGS=error::FutureWarning DAGSTER_STORAGE_PATH="$WS/data/dagster_storage" \
  DAGSTER_HOME="$(mktemp -d)" "$OLDPWD/.venv/bin/dg" launch --assets '*' >/dev/null 2>&1)
find "$WS/data/dagster_storage" -type f | sed "s|$WS/||"
echo
echo "Demo workspace ready: $WS"
echo "Browse it with: DMB_DG_BIN=$PWD/.venv/bin/dg ./bin/dmb dev --workspace $WS   (then open http://localhost:3000)"
