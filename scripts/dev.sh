#!/usr/bin/env bash
# One script for every set-up on a fresh machine: system packages, a virtualenv, the package.
#   scripts/dev.sh test   lint, type-check and run the whole test suite
#   scripts/dev.sh demo   run the whole /pilot lifecycle locally (test bed + scripted model),
#                         or against a real endpoint with OPENAI_API_KEY and OPENAI_BASE_URL set
#   scripts/dev.sh bench  run the benchmarks in bench/
set -euo pipefail
cd "$(dirname "$0")/.."

need_system() {
  local missing=()
  command -v git >/dev/null || missing+=(git)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v bwrap >/dev/null || missing+=(bubblewrap)  # the agent's command sandbox (README "Security")
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

venv() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  # Re-install when pyproject.toml changed since the last install.
  if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,bench]"
    touch .venv/.installed
  fi
}

cmd="${1:-test}"
shift || true
need_system
venv
export PATH="$PWD/.venv/bin:$PATH"
case "$cmd" in
  test)
    ruff check src tests bench scripts entrypoint.py
    mypy
    lint-imports --no-cache
    zizmor --offline --no-progress action.yml .github/workflows
    check-jsonschema --builtin-schema vendor.github-actions action.yml
    check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
    exec pytest "$@"
    ;;
  demo) exec prpilot demo "$@" ;;
  bench) exec python bench/run_all.py "$@" ;;
  *) echo "usage: scripts/dev.sh test|demo|bench" >&2; exit 2 ;;
esac
