"""``ChatSpy``: a plugin that keeps every chat request the inference router is asked, as it was asked.

Register it in a test's plugin host (``host.register(spy, name="chat-spy")``) to check what
a loop over the model (the Responses API, a judge, a shield) really sent each round: the
loop's own list of messages grows after each call, so the spy keeps a copy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Generator
from typing import Any

import plugstack
from plugstack.api_call import ApiCall

__all__ = ["ChatSpy"]


class ChatSpy:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        if call.api == "inference" and call.method == "chat_completion":
            self.requests.append(call.params["request"].model_dump(mode="json", exclude_none=True))
        return (yield)
