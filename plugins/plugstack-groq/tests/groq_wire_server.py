"""Serve llama-cpp-python's OpenAI-compatible server under ``/openai``, as Groq does.

Used only to *record* cassettes (see ``cassettes/README.md``); tests never start it. The
groq SDK always requests ``/openai/v1/...`` below its base URL, while ``llama_cpp.server``
serves ``/v1/...``. Mounting the unmodified llama_cpp app at ``/openai`` inside the same
process lines the paths up without a proxy: every byte on the wire comes from llama_cpp.

Run it in a virtualenv that has llama-cpp-python with its server extras::

    python groq_wire_server.py MODEL.gguf --port 18431 --alias smollm2-135m --api-key plugstack-local-key
"""

from __future__ import annotations

import argparse

import uvicorn
from llama_cpp.server.app import create_app
from llama_cpp.server.settings import ModelSettings, ServerSettings
from starlette.applications import Starlette
from starlette.routing import Mount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="path of a GGUF chat model")
    parser.add_argument("--port", type=int, default=18431)
    parser.add_argument("--alias", default="smollm2-135m", help="the model id clients send")
    parser.add_argument("--chat-format", default=None, help="llama_cpp chat format; default: the GGUF's template")
    parser.add_argument("--api-key", default=None, help="require this bearer key, so a wrong key gets a real 401")
    args = parser.parse_args()
    llama_app = create_app(
        server_settings=ServerSettings(host="127.0.0.1", port=args.port, api_key=args.api_key),
        model_settings=[
            # n_batch=1: llama.cpp evaluates a prompt in batches, but reuses the cached prefix
            # of the previous request; the two paths round differently, so the same request
            # at temperature 0 could answer differently. One token at a time, they agree.
            ModelSettings(
                model=args.model,
                model_alias=args.alias,
                chat_format=args.chat_format,
                n_ctx=2048,
                n_batch=1,
                n_ubatch=1,
                seed=7,
            )
        ],
    )
    uvicorn.run(Starlette(routes=[Mount("/openai", app=llama_app)]), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
