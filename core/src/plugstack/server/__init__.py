"""The OpenAI-compatible HTTP server: ``plugstack run`` serves a Stack with Starlette + uvicorn.

Layout (one concept per module):

- :mod:`~plugstack.server.app`: ``create_app(stack)``, which concatenates the routes of
  every module in :data:`plugstack.server.routes.ROUTE_MODULES`.
- :mod:`~plugstack.server.routes`: one module per API (``inference``, ``models``, ``meta``,
  ``files``, ``vector_stores``), each with ``routes(stack) -> list[ApiRoute]``.
  **To add an API** (shields, tool groups): write ``routes/<api>.py`` in the same shape
  and list it in ``ROUTE_MODULES``; its routes then appear in ``/openapi.json`` and
  ``/v1/inspect/routes`` by themselves.
- :mod:`~plugstack.server.routing`: ``ApiRoute`` (a Starlette route plus its request and
  response types) and the helpers endpoints use: ``read_body`` (parse and validate the
  JSON body in one pass, 400 naming the field), ``note_model`` (for the access log),
  ``json_response``.
- :mod:`~plugstack.server.middleware`: request id, auth, body-size limit, the error
  boundary and the access log, as one pure ASGI middleware.
- :mod:`~plugstack.server.sse`: streaming responses as OpenAI-style Server-Sent Events.
- :mod:`~plugstack.server.errors`: exceptions to OpenAI-shaped error responses.
- :mod:`~plugstack.server.openapi`: ``/openapi.json`` from the routes' pydantic types.
- :mod:`~plugstack.server.serve`: ``serve()``, what ``plugstack run`` calls.
- :mod:`~plugstack.server.background`: ``BackgroundServer``, a real uvicorn server in a
  thread on 127.0.0.1 (tests, benchmarks, notebooks).

Endpoints raise :mod:`plugstack.errors` exceptions; they never build error responses.
"""
