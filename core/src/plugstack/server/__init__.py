"""The OpenAI-compatible HTTP server: ``plugstack run`` serves a Stack with Starlette + uvicorn.

Layout (one concept per module):

- :mod:`~plugstack.server.app`: ``create_app(stack)``, which serves the routes of every
  API in the plugin host's registry (each API's ``routes`` module, named by its
  :class:`~plugstack.apis.definition.ApiDefinition`, e.g.
  :mod:`plugstack.apis.inference.routes`), then the server's own.
- :mod:`~plugstack.server.meta_routes`: health, version, providers, ``/v1/inspect/routes``
  and ``/openapi.json``.
- :mod:`~plugstack.server.routing`: ``ApiRoute`` (a Starlette route plus its request and
  response types) and the helpers endpoints use: ``read_body`` (parse and validate the
  JSON body in one pass, 400 naming the field), ``query_int`` and ``query_order`` (query
  parameters, 400 naming the parameter), ``json_response``.
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
