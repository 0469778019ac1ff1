#!/usr/bin/env bash
# The whole test suite, TypeScript and Python, against the real Dagster, PostgreSQL, MariaDB,
# docker-compose and Chromium. Installs what it needs first. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh all || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/services.sh || { echo "0 passed, 1 failed"; exit 1; }

mkdir -p test-artifacts
export DMB_DAGSTER_BIN="$PWD/.venv/bin/dagster"
export DMB_DG_BIN="$PWD/.venv/bin/dg"
export PATH="$PWD/.venv/bin:$PATH"

npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json
vitest_status=$?
.venv/bin/pytest tests/python -q -p no:cacheprovider --junitxml=test-artifacts/pytest.xml
pytest_status=$?

read -r passed failed < <(node -e '
const fs = require("fs");
let passed = 0, failed = 0;
try {
  const v = JSON.parse(fs.readFileSync("test-artifacts/vitest.json", "utf8"));
  passed += v.numPassedTests; failed += v.numFailedTests + (v.numRuntimeErrorTestSuites || 0);
} catch { failed += 1; }
try {
  const x = fs.readFileSync("test-artifacts/pytest.xml", "utf8");
  const m = /<testsuite [^>]*>/.exec(x)[0];
  const n = (k) => Number((new RegExp(` ${k}="(\\d+)"`).exec(m) || [0, 0])[1]);
  failed += n("failures") + n("errors");
  passed += n("tests") - n("failures") - n("errors") - n("skipped");
} catch { failed += 1; }
console.log(passed, failed);
')
if [ "$vitest_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$pytest_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
