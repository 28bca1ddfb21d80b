"""A local HTTP server speaking Tavily's and Brave's search wire formats, to record cassettes from.

Used only when recording (``PLUGSTACK_TEST_MODE=record``; ``conftest.py`` starts it in a
subprocess on a free port); replayed tests never start it. No real search API is reachable
where the cassettes were made, so this server answers what the public API references
describe, over real HTTP, from a small fixed corpus:

- ``POST /search`` as Tavily: a JSON body (``query``, ``max_results``...), the key as
  ``Authorization: Bearer``; ``{"query", "results": [{title, url, content, score,
  raw_content}], "response_time", ...}``; errors as ``{"detail": {"error": ...}}``
  (401 for a wrong key, 400 for a query over 400 characters).
- ``GET /res/v1/web/search`` as Brave: ``q``, ``count``..., the key in
  ``X-Subscription-Token``; ``{"type": "search", "query", "web": {"results": [{title,
  url, description (matches in <strong>)...}]}}``; errors as ``{"type": "ErrorResponse",
  "error": {"id", "status", "code", "detail", "meta"}}`` (422 SUBSCRIPTION_TOKEN_INVALID
  for a wrong key, 422 VALIDATION for a query over 400 characters).

Keys: ``plugstack-local-key`` is valid; ``plugstack-local-key-over-quota`` gets a 429
(with the API's rate limit headers); ``plugstack-local-key-upstream-down`` gets a 500;
any other key is rejected. Run it by hand with::

    python web_search_wire_server.py --port 18441
"""

from __future__ import annotations

import argparse
import re
import time
import uuid
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

VALID_KEY = "plugstack-local-key"
OVER_QUOTA_KEY = "plugstack-local-key-over-quota"
UPSTREAM_DOWN_KEY = "plugstack-local-key-upstream-down"
MAX_QUERY_CHARS = 400

CORPUS: list[dict[str, str]] = [
    {
        "title": "Welcome to Python.org",
        "url": "https://www.python.org/",
        "content": "The official home of the Python programming language: downloads, documentation and news.",
    },
    {
        "title": "Python (programming language) - Wikipedia",
        "url": "https://en.wikipedia.org/wiki/Python_(programming_language)",
        "content": "Python is a high-level, general-purpose programming language. Its design philosophy "
        "emphasizes code readability with the use of significant indentation.",
    },
    {
        "title": "The Python Tutorial — Python documentation",
        "url": "https://docs.python.org/3/tutorial/",
        "content": "Python is an easy to learn, powerful programming language with efficient high-level data structures.",
    },
    {
        "title": "Rust Programming Language",
        "url": "https://www.rust-lang.org/",
        "content": "A language empowering everyone to build reliable and efficient software.",
    },
    {
        "title": "HTTP - Wikipedia",
        "url": "https://en.wikipedia.org/wiki/HTTP",
        "content": "The Hypertext Transfer Protocol (HTTP) is an application layer protocol for distributed, "
        "collaborative, hypermedia information systems.",
    },
    {
        "title": "Eiffel Tower - Wikipedia",
        "url": "https://en.wikipedia.org/wiki/Eiffel_Tower",
        "content": "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France.",
    },
]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def search(query: str, limit: int) -> list[tuple[float, dict[str, str]]]:
    """Corpus entries sharing words with the query, with the share of query words they hold."""
    wanted = _words(query)
    scored = []
    for doc in CORPUS:
        found = wanted & _words(doc["title"] + " " + doc["content"])
        if found:
            scored.append((round(len(found) / len(wanted), 4), doc))
    scored.sort(key=lambda pair: -pair[0])
    return scored[:limit]


def _bearer(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ").strip()


async def tavily_search(request: Request) -> JSONResponse:
    started = time.perf_counter()
    key = _bearer(request)
    if key == OVER_QUOTA_KEY:
        return JSONResponse(
            {"detail": {"error": "Your request has been blocked due to excessive requests. Please slow down."}},
            status_code=429,
            headers={"retry-after": "7"},
        )
    if key == UPSTREAM_DOWN_KEY:
        return JSONResponse({"detail": {"error": "Internal Server Error"}}, status_code=500)
    if key != VALID_KEY:
        return JSONResponse({"detail": {"error": "Unauthorized: missing or invalid API key."}}, status_code=401)
    body: dict[str, Any] = await request.json()
    query = str(body.get("query") or "")
    if not query:
        return JSONResponse({"detail": {"error": "Query is missing."}}, status_code=400)
    if len(query) > MAX_QUERY_CHARS:
        return JSONResponse(
            {"detail": {"error": f"Query is too long. Max query length is {MAX_QUERY_CHARS} characters."}},
            status_code=400,
        )
    limit = int(body.get("max_results") or 5)
    results = [
        {"url": doc["url"], "title": doc["title"], "content": doc["content"], "score": score, "raw_content": None}
        for score, doc in search(query, limit)
    ]
    return JSONResponse(
        {
            "query": query,
            "follow_up_questions": None,
            "answer": None,
            "images": [],
            "results": results,
            "response_time": round(time.perf_counter() - started, 2),
            "request_id": str(uuid.uuid4()),
        }
    )


def _brave_error(
    status: int, code: str, detail: str, meta: dict[str, Any] | None = None, **headers: str
) -> JSONResponse:
    return JSONResponse(
        {
            "type": "ErrorResponse",
            "error": {"id": str(uuid.uuid4()), "status": status, "code": code, "detail": detail, "meta": meta or {}},
            "time": int(time.time()),
        },
        status_code=status,
        headers=headers,
    )


def _highlight(text: str, words: set[str]) -> str:
    return re.sub(r"[A-Za-z0-9]+", lambda m: f"<strong>{m[0]}</strong>" if m[0].lower() in words else m[0], text)


async def brave_search(request: Request) -> JSONResponse:
    key = request.headers.get("x-subscription-token", "")
    if key == OVER_QUOTA_KEY:
        return _brave_error(
            429,
            "RATE_LIMITED",
            "Request rate limit exceeded for plan.",
            {"plan": "Free", "rate_limit": 1, "rate_current": 2, "quota_limit": 2000, "quota_current": 42},
            **{"x-ratelimit-limit": "1, 2000", "x-ratelimit-remaining": "0, 1958", "x-ratelimit-reset": "1, 1419704"},
        )
    if key == UPSTREAM_DOWN_KEY:
        return _brave_error(500, "INTERNAL_ERROR", "An internal error occurred.")
    if key != VALID_KEY:
        return _brave_error(
            422, "SUBSCRIPTION_TOKEN_INVALID", "The provided subscription token is invalid.", {"component": "authn"}
        )
    query = request.query_params.get("q", "")
    count = request.query_params.get("count", "20")
    if not query or len(query) > MAX_QUERY_CHARS or not count.isdigit() or not 1 <= int(count) <= 20:
        return _brave_error(422, "VALIDATION", "Unable to validate request parameter(s)", {"errors": []})
    words = _words(query)
    results = [
        {
            "type": "search_result",
            "subtype": "generic",
            "title": doc["title"],
            "url": doc["url"],
            "description": _highlight(doc["content"], words),
            "is_source_local": False,
            "is_source_both": False,
            "family_friendly": True,
            "language": "en",
            "meta_url": {"scheme": "https", "hostname": doc["url"].split("/")[2], "path": ""},
        }
        for _, doc in search(query, int(count))
    ]
    return JSONResponse(
        {
            "type": "search",
            "query": {"original": query, "show_strict_warning": False, "is_navigational": False, "country": "us"},
            "mixed": {
                "type": "mixed",
                "main": [{"type": "web", "index": i, "all": False} for i in range(len(results))],
            },
            "web": {"type": "search", "results": results, "family_friendly": True},
        }
    )


app = Starlette(
    routes=[
        Route("/search", tavily_search, methods=["POST"]),
        Route("/res/v1/web/search", brave_search, methods=["GET"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=18441)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
