"""Property-based fuzzing: schemathesis generates requests from ``/openapi.json`` for every
operation (valid bodies, and for operations with a body, invalid ones too) against a real
uvicorn server serving ``inline::echo``; no request may get a 5xx.

schemathesis's own pytest integration does not run on pytest 9 (``Function._nodeid``), so
the test drives its hypothesis strategies directly, one operation after another.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from plugstack.server.background import BackgroundServer

EXAMPLES_PER_OPERATION = 50


@pytest.mark.slow
def test_no_request_gets_a_server_error(echo_server: BackgroundServer) -> None:
    document = httpx.get(echo_server.url + "/openapi.json").json()
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
            def no_server_error(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=echo_server.url, checks=[not_a_server_error])

            no_server_error()
