"""One module per API, each exposing ``routes(stack) -> list[ApiRoute]``.

To serve a new API, add ``routes/<api>.py`` with a ``routes(stack)`` function returning
:class:`plugstack.server.routing.ApiRoute` objects, and add the module to
:data:`ROUTE_MODULES`. Nothing else changes: the app concatenates the lists, and
``/openapi.json`` and ``/v1/inspect/routes`` describe every ``ApiRoute``.
"""

from __future__ import annotations

from plugstack.server.routes import files, inference, meta, models, vector_stores

__all__ = ["ROUTE_MODULES"]

ROUTE_MODULES = [inference, models, meta, files, vector_stores]
"""The route modules the app serves, in order: the router tries routes in this order, so the
hot inference routes come first (earlier modules also win on identical paths)."""
