#!/usr/bin/env bash
# The Docker part of the suite alone (tests/docker: the generated workspace built and run in a real engine,
# started by scripts/docker-harness.sh). Run after the README's set-up. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

mkdir -p test-artifacts
export DMB_DAGSTER_BIN="$PWD/.venv/bin/dagster"
node scripts/build.mjs || { echo "0 passed, 1 failed"; exit 1; }
npx vitest run tests/docker --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest-docker.json
status=$?
read -r passed failed < <(node -e '
try {
  const v = JSON.parse(require("fs").readFileSync("test-artifacts/vitest-docker.json", "utf8"));
  console.log(v.numPassedTests, v.numFailedTests + (v.numRuntimeErrorTestSuites || 0));
} catch { console.log(0, 1); }
')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
