"""The inference conformance suite: one set of tests every inference provider passes.

A plugin adopts it by subclassing :class:`InferenceConformance` in its ``tests/`` folder,
saying how to build a stack that serves its provider and which features it lacks::

    # plugins/plugstack-foo/tests/test_conformance.py
    from typing import Any
    from plugstack.testing.conformance import InferenceConformance

    class TestFooConformance(InferenceConformance):
        chat_model = "foo-small"          # model ids as the stack lists them
        embedding_model = "foo-embed"     # None: the embedding tests skip
        unsupported = {                   # feature -> why; those tests are SKIPPED, with the reason
            "embedding_dimensions": "foo's embeddings have a fixed size",
        }

        @classmethod
        def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
            key = "${env.FOO_API_KEY:=}" if valid_credentials else "wrong-key-for-conformance"
            return {
                "distribution_name": "foo-conformance",
                "providers": {"inference": [{"provider_id": "foo", "provider_type": "remote::foo",
                                             "config": {"api_key": key}}]},
            }

Every test builds a :class:`plugstack.Stack` (library mode, so routing is exercised) inside
the ``plugstack_cassette`` fixture: it replays from
``plugins/plugstack-foo/tests/cassettes/test_conformance/TestFooConformance.<test>.yaml``.
Record them once against a real upstream (or a local server speaking the same protocol)
with ``PLUGSTACK_TEST_MODE=record pytest plugins/plugstack-foo/tests/test_conformance.py``
and commit them with a ``tests/cassettes/README.md`` saying what they were recorded against.

Features (the keys of ``unsupported``) are listed in :data:`FEATURES`; a declared feature
that is not a known name fails the suite, so a typo cannot skip a test silently. Tests ask
for ``temperature=0`` and a fixed ``seed`` so recordings are as repeatable as the upstream
allows; ``deterministic_sampling`` says whether temperature 0 really gives the same text.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from plugstack.apis.inference import ChatCompletion, ChatCompletionChunk
from plugstack.apis.models import RegisterModelRequest
from plugstack.errors import AuthenticationError, NotFoundError
from plugstack.stack import Stack
from plugstack.testing.suite import ConformanceSuite, requires

__all__ = ["FEATURES", "InferenceConformance"]

FEATURES: dict[str, str] = {
    "system_prompt": "a system message is accepted",
    "multi_turn": "a conversation with earlier assistant turns is accepted",
    "streaming": "stream=True yields chunks that add up to a complete answer",
    "stream_usage": "stream_options.include_usage adds a final usage chunk",
    "max_tokens": "max_tokens cuts the answer with finish_reason 'length'",
    "stop": "stop sequences end the answer before the stop text",
    "deterministic_sampling": "temperature=0 gives the same text streamed and not, call after call",
    "tool_calling": "a forced tool call comes back with an id, the name and JSON arguments",
    "tool_calling_streaming": "the same with stream=True, assembled from tool-call deltas",
    "tool_results": "after a tool call, the tool's result (role 'tool') gets a text answer",
    "structured_output": "response_format json_schema gives JSON matching the schema",
    "embeddings": "embeddings of a batch come back one per input, in order, of one dimension",
    "embedding_dimensions": "the dimensions parameter sets the embedding length",
    "upstream_not_found": "a model id the upstream does not know raises NotFoundError",
    "auth_error": "wrong credentials raise AuthenticationError (401)",
    "usage": "non-streamed answers report prompt, completion and total tokens",
    "cached_tokens": "usage reports prompt_tokens_details.cached_tokens",
}

_WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "the city name"}},
            "required": ["city"],
        },
    },
}
_WEATHER_QUESTION = "What is the weather in Paris?"
_FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}
_PERSON_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


class InferenceConformance(ConformanceSuite):
    """Base class of an inference provider's conformance tests (see the module docstring).

    Subclasses set :attr:`chat_model`, optionally :attr:`embedding_model`,
    :attr:`unsupported` and :attr:`sampling`, and implement :meth:`run_config`; they may
    override :meth:`plugin_host` to register an in-process plugin.
    """

    chat_model: ClassVar[str]
    embedding_model: ClassVar[str | None] = None
    api = "inference"
    features = FEATURES
    sampling: ClassVar[dict[str, Any]] = {"temperature": 0, "seed": 42}
    """Sent with every chat request, so that recordings repeat as far as the upstream allows."""

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        """The run config (a mapping, as in run.yaml) of a stack that serves the models.

        With ``valid_credentials=False`` the provider must get credentials the upstream
        rejects (for the ``auth_error`` test). The first inference provider listed is the
        one that serves :attr:`chat_model`.
        """
        raise NotImplementedError(f"{cls.__name__} must implement run_config()")

    # -- helpers --------------------------------------------------------------------------

    async def chat(self, stack: Stack, messages: list[dict[str, Any]], **params: Any) -> ChatCompletion:
        reply = await stack.inference.chat_completion(
            model=self.chat_model, messages=messages, **self.sampling, **params
        )
        assert isinstance(reply, ChatCompletion), f"expected a ChatCompletion, got {type(reply).__name__}"
        assert reply.model == self.chat_model, "the router must answer with the caller's model id"
        assert reply.choices, "a completion has at least one choice"
        return reply

    async def stream(self, stack: Stack, messages: list[dict[str, Any]], **params: Any) -> list[ChatCompletionChunk]:
        chunks = await stack.inference.chat_completion(
            model=self.chat_model, messages=messages, stream=True, **self.sampling, **params
        )
        assert not isinstance(chunks, ChatCompletion), "stream=True must return an async iterator of chunks"
        collected = [chunk async for chunk in chunks]
        assert collected, "a stream has at least one chunk"
        for chunk in collected:
            assert isinstance(chunk, ChatCompletionChunk)
            assert chunk.model == self.chat_model
        assert len({chunk.id for chunk in collected}) == 1, "every chunk of one stream carries the same id"
        return collected

    @staticmethod
    def streamed_text(chunks: list[ChatCompletionChunk]) -> tuple[str, str | None]:
        """The concatenated content of a stream and its finish_reason (exactly one)."""
        text = "".join(choice.delta.get("content") or "" for chunk in chunks for choice in chunk.choices)
        reasons = [choice.finish_reason for chunk in chunks for choice in chunk.choices if choice.finish_reason]
        assert len(reasons) == 1, f"a stream ends with exactly one finish_reason, got {reasons}"
        return text, reasons[0]

    @staticmethod
    def assert_text_answer(reply: ChatCompletion) -> str:
        choice = reply.choices[0]
        assert choice.message.role == "assistant"
        assert isinstance(choice.message.content, str) and choice.message.content.strip(), "expected a text answer"
        assert choice.finish_reason in ("stop", "length"), f"unexpected finish_reason {choice.finish_reason!r}"
        return choice.message.content

    # -- chat -----------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_models_are_listed(self, stack: Stack) -> None:
        models = {model.id: model for model in (await stack.models.list_models()).data}
        assert self.chat_model in models, f"{self.chat_model!r} not among {sorted(models)}"
        assert models[self.chat_model].model_type == "llm"
        if self.embedding_model is not None:
            assert models[self.embedding_model].model_type == "embedding"

    @pytest.mark.asyncio
    async def test_plain_chat(self, stack: Stack) -> None:
        reply = await self.chat(stack, [{"role": "user", "content": "Name a colour of the sky."}], max_tokens=24)
        self.assert_text_answer(reply)
        assert reply.object == "chat.completion" and reply.id

    @requires("system_prompt")
    @pytest.mark.asyncio
    async def test_system_prompt(self, stack: Stack) -> None:
        messages = [
            {"role": "system", "content": "You are a terse assistant. Answer in one word."},
            {"role": "user", "content": "What is the opposite of hot?"},
        ]
        self.assert_text_answer(await self.chat(stack, messages, max_tokens=16))

    @requires("multi_turn")
    @pytest.mark.asyncio
    async def test_multi_turn(self, stack: Stack) -> None:
        messages = [
            {"role": "user", "content": "My name is Ada."},
            {"role": "assistant", "content": "Nice to meet you, Ada."},
            {"role": "user", "content": "What is my name?"},
        ]
        self.assert_text_answer(await self.chat(stack, messages, max_tokens=16))

    @requires("usage")
    @pytest.mark.asyncio
    async def test_usage_is_accounted(self, stack: Stack) -> None:
        reply = await self.chat(stack, [{"role": "user", "content": "Say something short."}], max_tokens=16)
        usage = reply.usage
        assert usage is not None, "usage is reported"
        assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens

    @requires("usage", "cached_tokens")
    @pytest.mark.asyncio
    async def test_cached_tokens_are_reported(self, stack: Stack) -> None:
        messages = [{"role": "user", "content": "Repeat after me: " + "cache me please " * 300}]
        await self.chat(stack, messages, max_tokens=4)
        reply = await self.chat(stack, messages, max_tokens=4)
        assert reply.usage is not None and reply.usage.prompt_tokens_details is not None
        cached = reply.usage.prompt_tokens_details.get("cached_tokens")
        assert isinstance(cached, int) and 0 <= cached <= reply.usage.prompt_tokens

    @requires("max_tokens")
    @pytest.mark.asyncio
    async def test_max_tokens_gives_finish_reason_length(self, stack: Stack) -> None:
        prompt = "Count from one to thirty in words: one two three four five six seven eight nine ten eleven twelve"
        reply = await self.chat(stack, [{"role": "user", "content": prompt}], max_tokens=3)
        assert reply.choices[0].finish_reason == "length"
        if reply.usage is not None and "usage" not in self.unsupported:
            assert 0 < reply.usage.completion_tokens <= 3

    @requires("stop")
    @pytest.mark.asyncio
    async def test_stop_sequence_ends_the_answer(self, stack: Stack) -> None:
        messages = [{"role": "user", "content": "Write one sentence about rivers and mountains and the sea."}]
        full = self.assert_text_answer(await self.chat(stack, messages, max_tokens=32))
        words = [word for word in full.split() if len(word) >= 3]
        assert len(words) >= 2, f"the answer is too short to pick a stop word from: {full!r}"
        stop_word = words[len(words) // 2]
        cut = await self.chat(stack, messages, max_tokens=32, stop=[stop_word])
        content = cut.choices[0].message.content or ""
        assert stop_word not in content
        assert cut.choices[0].finish_reason == "stop"
        if "deterministic_sampling" not in self.unsupported:
            assert content.strip() == full[: full.index(stop_word)].strip()

    # -- streaming ------------------------------------------------------------------------

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_streaming_adds_up_to_an_answer(self, stack: Stack) -> None:
        messages = [{"role": "user", "content": "Name three fruits."}]
        chunks = await self.stream(stack, messages, max_tokens=24)
        text, finish_reason = self.streamed_text(chunks)
        assert text.strip(), "the streamed chunks carry text"
        assert finish_reason in ("stop", "length")
        content_chunks = [c for c in chunks if any(choice.delta.get("content") for choice in c.choices)]
        assert len(content_chunks) > 1, "the answer arrives in several chunks, not buffered into one"
        if "deterministic_sampling" not in self.unsupported:
            whole = await self.chat(stack, messages, max_tokens=24)
            assert text == whole.choices[0].message.content
            assert finish_reason == whole.choices[0].finish_reason

    @requires("streaming", "stream_usage")
    @pytest.mark.asyncio
    async def test_stream_ends_with_usage_when_asked(self, stack: Stack) -> None:
        messages = [{"role": "user", "content": "Say hello."}]
        chunks = await self.stream(stack, messages, max_tokens=16, stream_options={"include_usage": True})
        last = chunks[-1]
        assert last.usage is not None, "the last chunk carries usage"
        assert last.choices == [], "the usage chunk has no choices"
        assert last.usage.prompt_tokens > 0 and last.usage.completion_tokens > 0
        assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
        assert all(chunk.usage is None for chunk in chunks[:-1])

    # -- tools ----------------------------------------------------------------------------

    async def forced_weather_call(self, stack: Stack, *, stream: bool) -> dict[str, Any]:
        """Offer the weather tool, force it, and return the call (assembled from deltas if streamed)."""
        question = [{"role": "user", "content": _WEATHER_QUESTION}]
        params: dict[str, Any] = {"tools": [_WEATHER_TOOL], "tool_choice": _FORCE_WEATHER, "max_tokens": 64}
        if not stream:
            choice = (await self.chat(stack, question, **params)).choices[0]
            assert choice.message.tool_calls, f"expected a tool call, got {choice.message.content!r}"
            # OpenAI answers a forced (named) tool_choice with finish_reason "stop"
            assert choice.finish_reason in ("tool_calls", "stop")
            call = choice.message.tool_calls[0]
        else:
            calls: dict[int, dict[str, Any]] = {}
            for chunk in await self.stream(stack, question, **params):
                for chunk_choice in chunk.choices:
                    for delta in chunk_choice.delta.get("tool_calls") or []:
                        call = calls.setdefault(
                            delta["index"], {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
                        )
                        call["id"] = delta.get("id") or call["id"]
                        function = delta.get("function") or {}  # as OpenAI's SDK does: names and arguments concatenate
                        call["function"]["name"] += function.get("name") or ""
                        call["function"]["arguments"] += function.get("arguments") or ""
            assert calls, "the stream carries tool-call deltas"
            call = calls[0]
        assert call["id"], "a tool call has an id"
        assert call.get("type", "function") == "function"
        assert call["function"]["name"] == "get_weather"
        arguments = json.loads(call["function"]["arguments"])
        assert isinstance(arguments, dict), f"tool arguments are a JSON object: {arguments!r}"
        return call

    @staticmethod
    def tool_result_messages(call: dict[str, Any]) -> list[dict[str, Any]]:
        """The conversation after the call, the assistant turn as a client sends it back (content null)."""
        return [
            {"role": "user", "content": _WEATHER_QUESTION},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {
                "role": "tool",
                "tool_call_id": call["id"],
                "content": json.dumps({"city": "Paris", "weather": "sunny, 21 C"}),
            },
        ]

    @requires("tool_calling")
    @pytest.mark.asyncio
    async def test_tool_call(self, stack: Stack) -> None:
        await self.forced_weather_call(stack, stream=False)

    @requires("tool_calling", "tool_results")
    @pytest.mark.asyncio
    async def test_tool_calling_round_trip(self, stack: Stack) -> None:
        call = await self.forced_weather_call(stack, stream=False)
        answer = await self.chat(
            stack, self.tool_result_messages(call), tools=[_WEATHER_TOOL], tool_choice="none", max_tokens=48
        )
        self.assert_text_answer(answer)

    @requires("streaming", "tool_calling_streaming")
    @pytest.mark.asyncio
    async def test_streamed_tool_call(self, stack: Stack) -> None:
        await self.forced_weather_call(stack, stream=True)

    @requires("streaming", "tool_calling_streaming", "tool_results")
    @pytest.mark.asyncio
    async def test_streamed_tool_calling_round_trip(self, stack: Stack) -> None:
        call = await self.forced_weather_call(stack, stream=True)
        chunks = await self.stream(
            stack, self.tool_result_messages(call), tools=[_WEATHER_TOOL], tool_choice="none", max_tokens=48
        )
        text, finish_reason = self.streamed_text(chunks)
        assert text.strip() and finish_reason in ("stop", "length")

    # -- structured output ----------------------------------------------------------------

    @requires("structured_output")
    @pytest.mark.asyncio
    async def test_structured_output_follows_the_json_schema(self, stack: Stack) -> None:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": "person", "schema": _PERSON_SCHEMA, "strict": True},
        }
        messages = [{"role": "user", "content": "Describe a person named Ada who is 36 years old, as JSON."}]
        reply = await self.chat(stack, messages, response_format=response_format, max_tokens=64)
        value = json.loads(reply.choices[0].message.content or "")
        assert isinstance(value, dict) and set(value) == {"name", "age"}
        assert isinstance(value["name"], str) and isinstance(value["age"], int)

    # -- embeddings -----------------------------------------------------------------------

    def _embedding_model(self) -> str:
        if self.embedding_model is None:
            pytest.skip(f"{type(self).__name__} names no embedding_model")
        return self.embedding_model

    @requires("embeddings")
    @pytest.mark.asyncio
    async def test_embeddings_batch_keeps_order_and_dimension(self, stack: Stack) -> None:
        model = self._embedding_model()
        texts = ["the cat sat on the mat", "stock markets fell sharply today", "a recipe for lemon cake"]
        batch = await stack.inference.embeddings(model=model, input=texts)
        assert batch.model == model
        assert [item.index for item in batch.data] == [0, 1, 2]
        vectors = [item.embedding for item in batch.data if isinstance(item.embedding, list)]
        assert len(vectors) == 3, "embeddings come back as lists of floats"
        dimensions = {len(v) for v in vectors}
        assert len(dimensions) == 1 and dimensions.pop() > 0, "one dimension for every input"
        assert len({tuple(v) for v in vectors}) == 3, "different texts get different vectors"
        single = await stack.inference.embeddings(model=model, input=texts[1])
        assert isinstance(single.data[0].embedding, list)
        assert _cosine(single.data[0].embedding, vectors[1]) > 0.99, "batch item 1 is the embedding of input 1"
        listed = await stack.models.get_model(model)
        if "embedding_dimension" in listed.metadata:
            assert len(vectors[0]) == listed.metadata["embedding_dimension"]

    @requires("embeddings", "embedding_dimensions")
    @pytest.mark.asyncio
    async def test_embedding_dimensions_parameter(self, stack: Stack) -> None:
        reply = await stack.inference.embeddings(model=self._embedding_model(), input=["short vector"], dimensions=4)
        assert len(reply.data[0].embedding) == 4

    # -- errors ---------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_unknown_model_id_is_not_found(self, stack: Stack) -> None:
        with pytest.raises(NotFoundError):
            await stack.inference.chat_completion(
                model="no-such-model-conformance", messages=[{"role": "user", "content": "hi"}]
            )

    @requires("upstream_not_found")
    @pytest.mark.asyncio
    async def test_model_unknown_upstream_is_not_found(self, stack: Stack) -> None:
        provider_id = (await stack.models.get_model(self.chat_model)).provider_id
        await stack.models.register_model(
            RegisterModelRequest(
                model_id="missing-upstream", provider_id=provider_id, provider_model_id="no-such-model-conformance"
            )
        )
        with pytest.raises(NotFoundError) as info:
            await stack.inference.chat_completion(
                model="missing-upstream", messages=[{"role": "user", "content": "hi"}], max_tokens=4
            )
        assert info.value.status_code == 404

    @requires("auth_error")
    @pytest.mark.asyncio
    async def test_rejected_credentials_are_an_authentication_error(self, plugstack_cassette: Any) -> None:
        config = self.run_config(valid_credentials=False)
        async with await Stack.from_config(config, host=self.plugin_host()) as stack:
            try:
                await stack.models.get_model(self.chat_model)
            except NotFoundError:  # the upstream refused to list models too: register it with the chat provider
                chat_provider = config["providers"]["inference"][0]["provider_id"]
                await stack.models.register_model(
                    RegisterModelRequest(model_id=self.chat_model, provider_id=chat_provider)
                )
            with pytest.raises(AuthenticationError) as info:
                await stack.inference.chat_completion(
                    model=self.chat_model, messages=[{"role": "user", "content": "hi"}], max_tokens=4
                )
        assert info.value.status_code == 401


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) ** 0.5) * (sum(y * y for y in b) ** 0.5)
    return dot / norm if norm else 0.0
