"""The ``remote::bedrock`` adapter: chat through Converse/ConverseStream, embeddings
through InvokeModel, model listing through the control plane, all on boto3.

boto3 blocks, so every call runs in a thread of the provider's own pool (sized with
botocore's connection pool) and the event loop never waits on AWS. A ConverseStream is
read by one of those threads and handed to the loop event by event through a queue; when
the consumer stops early (client gone, task cancelled) the thread is told to stop and the
HTTP stream is closed, which ends a read in progress.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
)
from plugstack.apis.models import Model
from plugstack.errors import NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_bedrock import embeddings as emb
from plugstack_bedrock.clients import boto_session, make_client, run_blocking
from plugstack_bedrock.config import BedrockConfig
from plugstack_bedrock.converse import (
    ConverseStreamTranslator,
    chat_completion_from_converse,
    converse_request,
    json_schema_tool,
)
from plugstack_bedrock.errors import to_plugstack_error

__all__ = ["BedrockInferenceAdapter", "create_provider"]

T = TypeVar("T")
_END = object()
_OWNED_BY = "bedrock"  # the owner of models whose provider AWS does not name (Model.owned_by)


async def create_provider(config: BedrockConfig, context: ProviderContext) -> BedrockInferenceAdapter:
    adapter = BedrockInferenceAdapter(config, provider_id=context.provider_id)
    await adapter.initialize()
    return adapter


class BedrockInferenceAdapter:
    """Implements :class:`plugstack.apis.inference.Inference` for AWS Bedrock.

    ``provider_id`` is the provider's id in the run config; its errors name it.
    """

    def __init__(self, config: BedrockConfig, *, provider_id: str = "bedrock") -> None:
        self.config = config
        self.provider_id = provider_id
        self._executor = ThreadPoolExecutor(config.max_concurrent_requests, thread_name_prefix="plugstack-bedrock")
        self.runtime: Any = None
        self.control: Any = None

    async def initialize(self) -> None:
        """Build the clients off the loop: botocore reads its service models from disk."""
        self.runtime, self.control = await self._call(self._make_clients)

    def _make_clients(self) -> tuple[Any, Any]:
        session = boto_session(self.config)
        return make_client(session, "bedrock-runtime", self.config), make_client(session, "bedrock", self.config)

    async def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        for client in (self.runtime, self.control):
            if client is not None:
                client.close()  # its connection pool

    async def health(self) -> dict[str, Any]:
        """OK when the Bedrock control plane answers a signed request."""
        await self._call(self.control.list_foundation_models, byOutputModality="EMBEDDING")
        return {"status": "OK"}

    async def _call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking boto3 call in the provider's threads; map its failure."""
        return await run_blocking(self._executor, self.provider_id, fn, *args, **kwargs)

    # -- models ------------------------------------------------------------------------

    async def list_models(self) -> list[Model]:
        c = self.config
        if c.models is not None:
            return [Model(id=m, owned_by=_OWNED_BY, provider_resource_id=m) for m in c.models] + [
                Model(id=m, owned_by=_OWNED_BY, provider_resource_id=m, model_type="embedding")
                for m in c.embedding_models
            ]
        listed = await self._call(self.control.list_foundation_models)
        models = []
        for summary in listed.get("modelSummaries", []):
            outputs = summary.get("outputModalities") or []
            if "EMBEDDING" in outputs:
                model_type = "embedding"
            elif "TEXT" in outputs and "ON_DEMAND" in (summary.get("inferenceTypesSupported") or []):
                model_type = "llm"
            else:
                continue  # image models, and models served only through provisioned throughput
            models.append(
                Model(
                    id=summary["modelId"],
                    owned_by=summary.get("providerName") or _OWNED_BY,
                    provider_resource_id=summary["modelId"],
                    model_type=model_type,
                    metadata={
                        "name": summary.get("modelName", ""),
                        "streaming": summary.get("responseStreamingSupported", False),
                    },
                )
            )
        return models

    # -- chat --------------------------------------------------------------------------

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        params = converse_request(request)
        json_tool = json_schema_tool(request)
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        if not request.stream:
            response = await self._call(self.runtime.converse, **params)
            return chat_completion_from_converse(
                response, completion_id=completion_id, model=request.model, json_tool=json_tool
            )
        response = await self._call(self.runtime.converse_stream, **params)
        translator = ConverseStreamTranslator(
            completion_id=completion_id,
            model=request.model,
            include_usage=bool((request.stream_options or {}).get("include_usage")),
            json_tool=json_tool,
        )
        return self._chunks(response["stream"], translator)

    async def _chunks(self, stream: Any, translator: ConverseStreamTranslator) -> AsyncIterator[ChatCompletionChunk]:
        async for event in self.stream_events(stream):
            for chunk in translator.chunks(event):
                yield chunk

    async def stream_events(self, stream: Any) -> AsyncIterator[dict[str, Any]]:
        """The events of a botocore EventStream, read in a thread, as they arrive."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def hand_over(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                stop.set()

        def pump(events: Iterable[dict[str, Any]]) -> None:
            try:
                for event in events:
                    if stop.is_set():
                        return
                    hand_over(event)
            except Exception as exc:  # handed to the consumer, raised there
                if not stop.is_set():
                    hand_over(exc)
            finally:
                hand_over(_END)

        loop.run_in_executor(self._executor, pump, stream)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, Exception):
                    if isinstance(item, ClientError | BotoCoreError):
                        raise to_plugstack_error(item, provider_id=self.provider_id) from None
                    raise item
                yield item
        finally:
            stop.set()
            stream.close()  # unblocks the thread if it is waiting for the next event

    # -- completions and embeddings -----------------------------------------------------

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]:
        raise NotImplementedByProviderError("remote::bedrock has no legacy text completions; use chat completions")

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        family = emb.embedding_family(request.model)
        texts = emb.texts_of(request.input)
        vectors: list[list[float]] = []
        tokens = 0
        if family == "titan":
            bodies = [emb.titan_body(text, request.dimensions) for text in texts]
            results = await asyncio.gather(*(self._invoke(request.model, body) for body in bodies))
            for result in results:
                vector, count = emb.read_titan(result)
                vectors.append(vector)
                tokens += count
        else:
            for start in range(0, len(texts), emb.COHERE_BATCH):
                batch = texts[start : start + emb.COHERE_BATCH]
                vectors.extend(
                    emb.read_cohere(await self._invoke(request.model, emb.cohere_body(batch, request.dimensions)))
                )
        data = [{"index": i, "embedding": vector} for i, vector in enumerate(vectors)]
        return EmbeddingsResponse(
            data=data,
            model=request.model,
            usage={"prompt_tokens": tokens, "total_tokens": tokens},
        )

    async def _invoke(self, model_id: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._call(
            self.runtime.invoke_model,
            modelId=model_id,
            body=json.dumps(body),
            contentType="application/json",
            accept="application/json",
        )
        raw = await self._call(response["body"].read)
        return dict(json.loads(raw))
