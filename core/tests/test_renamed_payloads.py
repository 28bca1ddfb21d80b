"""The model rename on relayed event bytes (``inference_router._renamed_payload``).

Only the top-level ``"model"`` value may change, whatever the spacing, escaping or key
order of the upstream's JSON; everything else must stay byte for byte.
"""

from __future__ import annotations

import json

import pytest

from plugstack.apis.inference.router import _renamed_payload
from plugstack.errors import ProviderError


def renamed(payload: bytes, model_id: str) -> bytes:
    return _renamed_payload(payload, model_id, json.dumps(model_id).encode(), "up")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"id":"c","model":"up-1","choices":[]}', b'{"id":"c","model":"alias","choices":[]}'),
        (b'{"id": "c", "model" : "up-1", "choices": []}', b'{"id": "c", "model" : "alias", "choices": []}'),
        (b'{"model":"a \\"quoted\\" \\\\ id","x":1}', b'{"model":"alias","x":1}'),
        # a "model" inside a string is escaped, so it is not taken for the key
        (b'{"id":"\\"model\\":\\"no\\"","model":"up-1"}', b'{"id":"\\"model\\":\\"no\\"","model":"alias"}'),
    ],
)
def test_the_top_level_model_value_is_replaced_in_place(payload: bytes, expected: bytes) -> None:
    assert renamed(payload, "alias") == expected


def test_an_event_already_answering_as_the_alias_is_returned_as_it_is() -> None:
    payload = b'{"id": "c", "model": "alias"}'
    assert renamed(payload, "alias") is payload


def test_an_alias_needing_escapes_is_written_as_json() -> None:
    assert json.loads(renamed(b'{"model":"up-1"}', 'a "b" \u00e9'))["model"] == 'a "b" \u00e9'


@pytest.mark.parametrize(
    "payload",
    [
        b'{"choices":[{"extra":{"model":"nested"}}],"model":"up-1"}',  # a nested "model" comes first
        b'{"id":"c","choices":[]}',  # no model at all
    ],
)
def test_other_layouts_are_decoded_and_only_the_top_level_model_changes(payload: bytes) -> None:
    event = json.loads(payload)
    assert json.loads(renamed(payload, "alias")) == {**event, "model": "alias"}


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]"])
def test_an_event_that_is_no_json_object_is_a_provider_error(payload: bytes) -> None:
    with pytest.raises(ProviderError, match="provider 'up': the upstream sent an event that is not"):
        renamed(payload, "alias")
