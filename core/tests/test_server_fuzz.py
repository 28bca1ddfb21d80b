"""Property-based fuzzing: schemathesis generates requests from ``/openapi.json`` for every
operation (valid bodies, and for operations with a body, invalid ones too) against a real
uvicorn server serving ``inline::echo``. No request may get a 500 (a crash), and every error
must be OpenAI-shaped. Other 5xx are deliberate answers: routes of APIs this run config
does not enable (files, vector stores) answer 501.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
import schemathesis

from plugstack.server.background import BackgroundServer

if TYPE_CHECKING:
    from .conftest import OpenAPIFuzzer

EXAMPLES_PER_OPERATION = 40


@pytest.mark.slow
def test_no_request_gets_a_server_error(echo_server: BackgroundServer, fuzz_openapi: OpenAPIFuzzer) -> None:
    document = httpx.get(echo_server.url + "/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("ChatCompletionRequest", "CompletionRequest", "EmbeddingsRequest"):
        # random model ids would all stop at the 404; mostly ask for models that exist
        schemas[name]["properties"]["model"] = {"type": "string", "enum": ["echo-1", "echo-embed", "gpt-nope"]}
    schema = schemathesis.openapi.from_dict(document)  # from_url would leave out /openapi.json itself
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(echo_server.app.routes)  # every route is fuzzed

    # other 5xx are deliberate: routes of APIs this run config does not enable answer 501
    fuzz_openapi(document, operations, echo_server.url, EXAMPLES_PER_OPERATION, lambda status: status != 500)
