"""The ``file_search`` tool's definition: its JSON schema depends on the group's args.

The arguments mirror OpenAI's ``file_search`` tool (``vector_store_ids``,
``max_num_results``, ``filters``, ``ranking_options``) plus the model's ``query``, so that
a Responses implementation can pass its tool definition through unchanged. A group that
names default stores makes ``vector_store_ids`` optional; one that names none requires it,
so the router's schema check refuses a call that would not know where to search (400).
"""

from __future__ import annotations

from typing import Any

from plugstack.apis.tool_runtime.types import ToolDef
from plugstack_file_search.config import FileSearchArgs

__all__ = ["tool_def"]

_FILTER_DESCRIPTION = (
    "Attribute filter, OpenAI's shape: a comparison {type: eq|ne|gt|gte|lt|lte|in|nin, key, value} "
    "or a compound {type: and|or, filters: [...]}"
)


def tool_def(args: FileSearchArgs) -> ToolDef:
    """The tool as the group with ``args`` lists it."""
    stores = "The vector stores to search"
    if args.vector_store_ids:
        stores += f" (default: {', '.join(args.vector_store_ids)})"
    required = ["query"] if args.vector_store_ids else ["query", "vector_store_ids"]
    parameters: dict[str, Any] = {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "minLength": 1,
                "description": "What to look for, in natural language; results are ranked by meaning",
            },
            "vector_store_ids": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "description": stores,
            },
            "max_num_results": {
                "type": "integer",
                "minimum": 1,
                "maximum": 50,
                "description": f"How many results to return, best first (default {args.max_num_results})",
            },
            "filters": {"type": "object", "description": _FILTER_DESCRIPTION},
            "ranking_options": {
                "type": "object",
                "properties": {
                    "ranker": {"type": "string", "enum": ["auto", "default-2024-11-15", "none"]},
                    "score_threshold": {"type": "number", "minimum": 0},
                },
                "additionalProperties": False,
                "description": "Results scoring below score_threshold are left out",
            },
        },
        "required": required,
        "additionalProperties": False,
    }
    return ToolDef(
        name=args.tool_name,
        description=(
            "Search the content of uploaded files for passages relevant to a query. "
            "Answers with numbered results (file name, relevance score, text) to cite."
        ),
        parameters=parameters,
        metadata={"vector_store_ids": args.vector_store_ids, "search_mode": args.search_mode},
    )
