#!/usr/bin/env bash
# Build llama-cpp-python once into a wheel cache keyed by version and CMake flags, then print
# the wheel's path. pip's own wheel cache ignores CMAKE_ARGS, and the default native build
# emits AMX instructions that our CPUs advertise but cannot run (quantised models die with
# SIGILL), so we build with GGML_NATIVE=OFF and keep the result ourselves.
set -euo pipefail
version="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
flags="-DGGML_NATIVE=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF"
key=$(printf '%s %s' "$version" "$flags" | sha256sum | cut -c1-12)
cache="${PLUGSTACK_WHEEL_CACHE:-$HOME/.cache/plugstack/wheels}/llama-cpp-python-$version-$key"
python="${PYTHON:-python3}"
if ! ls "$cache"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  mkdir -p "$cache.tmp"
  echo "building llama-cpp-python $version (about 15 minutes on 2 cores) into $cache" >&2
  CMAKE_ARGS="$flags" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$python" -m pip wheel --no-deps --no-binary llama-cpp-python --no-cache-dir \
    -w "$cache.tmp" "llama-cpp-python==$version" >&2
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi
ls "$cache"/llama_cpp_python-*.whl
