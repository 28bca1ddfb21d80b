"""Property-based fuzzing: schemathesis generates requests from ``/openapi.json`` for every
operation (valid bodies, and for operations with a body, invalid ones too) against a real
uvicorn server serving ``inline::echo``. No request may get a 500 (a crash), and every error
must be OpenAI-shaped. Other 5xx are deliberate answers: routes of APIs this run config
does not enable (files, vector stores) answer 501.

schemathesis's own pytest integration does not run on pytest 9 (``Function._nodeid``), so
the test drives its hypothesis strategies directly, one operation after another.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from plugstack.server.background import BackgroundServer

EXAMPLES_PER_OPERATION = 40


@pytest.mark.slow
def test_no_request_gets_a_server_error(echo_server: BackgroundServer) -> None:
    document = httpx.get(echo_server.url + "/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("ChatCompletionRequest", "CompletionRequest", "EmbeddingsRequest"):
        # random model ids would all stop at the 404; mostly ask for models that exist
        schemas[name]["properties"]["model"] = {"type": "string", "enum": ["echo-1", "echo-embed", "gpt-nope"]}
    schema = schemathesis.openapi.from_dict(document)  # from_url would leave out /openapi.json itself
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(echo_server.app.routes)  # every route is fuzzed

    for operation in operations:
        has_body = "requestBody" in document["paths"][operation.path][operation.method]
        for mode in [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_body else [GenerationMode.POSITIVE]:

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def no_crash(case: schemathesis.Case) -> None:
                response = case.call(base_url=echo_server.url)
                reproduce = case.as_curl_command()
                assert response.status_code != 500, f"{reproduce}\n-> 500 {response.text}"
                if response.status_code >= 400:
                    error = response.json()["error"]
                    assert set(error) == {"message", "type", "param", "code"}, f"{reproduce}\n-> {response.text}"

            no_crash()
