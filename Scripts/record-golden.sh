#!/bin/sh
# Records the golden files from what the code produces now (`make golden`).
#
# Tests never write a golden file: when a golden test's output differs, the test
# fails and saves what it produced under .build/golden-actual/<path of the
# golden>. This script runs the golden tests, then copies those outputs over the
# checked-in goldens. Review the result with `git diff` before committing it.
set -eu
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
rm -rf .build/golden-actual
$SWIFT build --build-tests
$SWIFT test --skip-build --filter 'GoldenFormatTests|RecordGoldenTests|PolicyLoaderTests' >/dev/null 2>&1 || true
if [ ! -d .build/golden-actual ]; then
  echo "every golden file matches; nothing to record"
  exit 0
fi
(cd .build/golden-actual && find . -type f | sort) | while read -r f; do
  f=${f#./}
  mkdir -p "$(dirname "$f")"
  cp ".build/golden-actual/$f" "$f"
  echo "recorded $f"
done
rm -rf .build/golden-actual
echo "review with: git diff"
