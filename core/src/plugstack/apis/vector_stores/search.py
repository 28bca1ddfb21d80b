"""Search of one vector store: embed the query as the store's chunks were, ask the backend."""

from __future__ import annotations

import pluggy

from plugstack.api_call import call_api
from plugstack.apis.vector_io import ScoredChunk, VectorStore
from plugstack.apis.vector_stores.embedding import StoreEmbedder
from plugstack.apis.vector_stores.ingestion_records import IngestionRecords
from plugstack.apis.vector_stores.types import SearchContent, SearchRequest, SearchResult, SearchResultsPage
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.resource_table import ResourceTable

__all__ = ["search_store"]


async def search_store(
    store: VectorStore,
    request: SearchRequest,
    *,
    stores: ResourceTable[VectorStore],
    embedder: StoreEmbedder,
    records: IngestionRecords,
    pm: pluggy.PluginManager,
) -> SearchResultsPage:
    """Vector, keyword or hybrid results for ``request``, named by file and filtered by score."""
    if request.rewrite_query:
        raise NotImplementedByProviderError("rewrite_query is not supported by plugstack", param="rewrite_query")
    queries = [request.query] if isinstance(request.query, str) else request.query
    query = " ".join(queries)
    if not query.strip():
        raise BadRequestError("query must not be empty", param="query")
    embedding = None
    if request.search_mode in ("vector", "hybrid"):
        embedding = (await embedder.embed(store, [query]))[0]
    provider = stores.provider(store)
    scored: list[ScoredChunk] = await call_api(
        pm,
        "vector_io",
        "query_chunks",
        provider.query_chunks,
        store_id=store.id,
        query=query,
        query_embedding=embedding,
        mode=request.search_mode,
        max_results=request.max_num_results,
        filters=request.filters.model_dump() if request.filters else None,
    )
    # applied only when asked for: cosine similarities may be negative, BM25 scores exceed 1
    threshold = request.ranking_options.score_threshold if request.ranking_options else None
    filenames = {record.id: record.filename for record in await records.find(vector_store_id=store.id)}
    data = [
        SearchResult(
            file_id=item.chunk.file_id or "",
            filename=filenames.get(item.chunk.file_id or "", ""),
            score=item.score,
            attributes=item.chunk.attributes,
            content=[SearchContent(text=item.chunk.content)],
        )
        for item in scored
        if threshold is None or item.score >= threshold
    ]
    return SearchResultsPage(search_query=queries, data=data)
