"""Bedrock Guardrails' ApplyGuardrail, translated: shields and messages in, violations out.

Pure functions, no boto3: the request a shield check sends, and what its answer means.

- **Which stage.** A guardrail has input and output policies (blocked messages, actions,
  filter strengths). A conversation whose last turn is the assistant's is checked as the
  model's ``OUTPUT``; any other (a user, system or tool turn last) as ``INPUT``.
- **What is sent.** The last message only, as the Safety protocol asks (earlier turns
  are context, not judged): its texts, one text block each (content parts of type
  ``text``, and an assistant's tool-call arguments, which are model output too).
  ApplyGuardrail would judge every block it is given with every policy (its qualifiers
  serve contextual grounding only), so sending the earlier turns would refuse an answer
  for what the user wrote. A last message with images is refused (501) rather than
  half-checked: ApplyGuardrail takes only png/jpeg bytes and checks them only with image
  content filters, which this provider does not send.
- **What the answer means.** ``GUARDRAIL_INTERVENED`` is an ``error`` violation: the
  guardrail blocked the text, or masked sensitive information in it, which plugstack
  cannot substitute in place (passing the unmasked text on would defeat the policy). The
  guardrail's own blocked message (``outputs[0].text``) is the ``user_message``; the
  categories name the findings that intervened, OpenAI's moderation categories where a
  Bedrock content filter matches one. ``NONE`` is no violation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES, ModerationResult, SafetyViolation
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = [
    "CONTENT_FILTER_CATEGORIES",
    "apply_guardrail_request",
    "findings",
    "guardrail_version",
    "moderation_result",
    "source_of",
    "text_blocks",
    "validate_shield",
    "violation_from_response",
]

CONTENT_FILTER_CATEGORIES: dict[str, str] = {
    "HATE": "hate",
    "INSULTS": "harassment",  # OpenAI: "harassing language towards any target"
    "SEXUAL": "sexual",
    "VIOLENCE": "violence",
    "MISCONDUCT": "illicit",  # Bedrock: seeking or giving help with crime, fraud, harming people
    "PROMPT_ATTACK": "prompt_attack",  # jailbreaks and prompt injection: no OpenAI category
}
"""Bedrock content filter types -> the category a violation names."""

_CONFIDENCE_SCORES = {"NONE": 0.0, "LOW": 1 / 3, "MEDIUM": 2 / 3, "HIGH": 1.0}
"""Bedrock reports a content filter's confidence as a bucket, not a probability."""

_ACTED = frozenset({"BLOCKED", "ANONYMIZED"})
_VERSION = re.compile(r"DRAFT|[1-9][0-9]{0,7}")  # botocore's GuardrailVersion pattern
_PARAMS = frozenset({"guardrailVersion"})
_DEFAULT_MESSAGE = "The guardrail blocked this content."


def validate_shield(shield: Shield) -> None:
    """Refuse a shield with no guardrail id, unknown params or a malformed version (400)."""
    if not shield.provider_resource_id:
        raise BadRequestError(
            f"shield {shield.id!r}: provider_shield_id must be the guardrail's id or ARN", param="provider_shield_id"
        )
    unknown = sorted(set(shield.params) - _PARAMS)
    if unknown:
        raise BadRequestError(
            f"shield {shield.id!r}: unknown params {unknown}; remote::bedrock takes {sorted(_PARAMS)}", param="params"
        )
    guardrail_version(shield)


def guardrail_version(shield: Shield) -> str:
    """The shield's ``guardrailVersion`` param (``DRAFT`` when unset): ``DRAFT`` or a version number."""
    raw = shield.params.get("guardrailVersion", "DRAFT")
    version = str(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not _VERSION.fullmatch(version):
        raise BadRequestError(
            f"shield {shield.id!r}: guardrailVersion must be 'DRAFT' or a version number, not {raw!r}",
            param="params.guardrailVersion",
        )
    return version


def source_of(messages: list[ChatMessage]) -> str:
    """``OUTPUT`` when the assistant spoke last (an answer to check), else ``INPUT``."""
    return "OUTPUT" if messages and messages[-1].role == "assistant" else "INPUT"


def text_blocks(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """ApplyGuardrail's content: one text block per non-empty text of the last message."""
    return [{"text": {"text": text}} for text in _texts(messages[-1]) if text.strip()] if messages else []


def _texts(message: ChatMessage) -> Iterator[str]:
    if isinstance(message.content, str):
        yield message.content
    elif message.content:
        for part in message.content:
            if part.get("type") == "text":
                yield str(part.get("text") or "")
            else:
                raise NotImplementedByProviderError(
                    f"remote::bedrock shields check text, not content parts of type {part.get('type')!r}",
                    param="messages",
                )
    for call in message.tool_calls or []:
        function = call.get("function") or {}
        arguments = function.get("arguments")
        if arguments:
            yield arguments if isinstance(arguments, str) else json.dumps(arguments)


def apply_guardrail_request(shield: Shield, messages: list[ChatMessage]) -> dict[str, Any]:
    """The keyword arguments of ``bedrock-runtime.apply_guardrail`` for ``shield`` on ``messages``."""
    return {
        "guardrailIdentifier": shield.provider_resource_id,
        "guardrailVersion": guardrail_version(shield),
        "source": source_of(messages),
        "content": text_blocks(messages),
    }


def findings(assessments: list[dict[str, Any]]) -> Iterator[tuple[str, float, str]]:
    """Every finding of the assessments as ``(category, score, action)``.

    ``action`` is Bedrock's (``BLOCKED``, ``ANONYMIZED`` or ``NONE``: detected, not acted
    on). Categories: content filters by :data:`CONTENT_FILTER_CATEGORIES`, denied topics as
    ``topic/<name>``, PII as ``pii/<type>`` and custom regexes as ``regex/<name>``, custom
    words as ``word/custom`` and managed word lists as ``word/<list>`` (``word/profanity``),
    contextual grounding as ``grounding/<type>``.
    """
    for assessment in assessments:
        for topic in (assessment.get("topicPolicy") or {}).get("topics") or []:
            yield f"topic/{topic.get('name', '')}", 1.0, str(topic.get("action", "NONE"))
        for item in (assessment.get("contentPolicy") or {}).get("filters") or []:
            kind = str(item.get("type", ""))
            category = CONTENT_FILTER_CATEGORIES.get(kind, kind.lower())
            yield category, _CONFIDENCE_SCORES.get(str(item.get("confidence")), 1.0), str(item.get("action", "NONE"))
        words = assessment.get("wordPolicy") or {}
        for _word in words.get("customWords") or []:
            yield "word/custom", 1.0, str(_word.get("action", "NONE"))
        for listed in words.get("managedWordLists") or []:
            yield f"word/{str(listed.get('type', 'managed')).lower()}", 1.0, str(listed.get("action", "NONE"))
        sensitive = assessment.get("sensitiveInformationPolicy") or {}
        for entity in sensitive.get("piiEntities") or []:
            yield f"pii/{str(entity.get('type', '')).lower()}", 1.0, str(entity.get("action", "NONE"))
        for regex in sensitive.get("regexes") or []:
            yield f"regex/{regex.get('name') or 'regex'}", 1.0, str(regex.get("action", "NONE"))
        for item in (assessment.get("contextualGroundingPolicy") or {}).get("filters") or []:
            # score: how grounded (or relevant) the answer is; the finding is its shortfall
            score = 1.0 - float(item.get("score", 0.0))
            yield f"grounding/{str(item.get('type', '')).lower()}", score, str(item.get("action", "NONE"))


def _scores(assessments: list[dict[str, Any]], *, acted_only: bool) -> dict[str, float]:
    scores: dict[str, float] = {}
    for category, score, action in findings(assessments):
        if action in _ACTED or not acted_only:
            scores[category] = max(scores.get(category, 0.0), score)
    return scores


def violation_from_response(
    response: dict[str, Any], *, guardrail_id: str, guardrail_version: str, source: str
) -> SafetyViolation | None:
    """The violation an ApplyGuardrail answer reports (see the module docstring), or ``None``."""
    if response.get("action") != "GUARDRAIL_INTERVENED":
        return None
    assessments = list(response.get("assessments") or [])
    scores = _scores(assessments, acted_only=True)
    outputs = [str(o.get("text", "")) for o in response.get("outputs") or []]
    blocked = any(action == "BLOCKED" for _, _, action in findings(assessments))
    metadata: dict[str, Any] = {
        "guardrail_id": guardrail_id,
        "guardrail_version": guardrail_version,
        "source": source,
        "assessments": assessments,
    }
    if response.get("actionReason"):
        metadata["action_reason"] = response["actionReason"]
    if blocked or not scores:
        user_message = (outputs[0] if outputs else "") or _DEFAULT_MESSAGE
    else:  # only masked: the outputs are the texts with the sensitive parts replaced
        metadata["masked_outputs"] = outputs
        user_message = f"The guardrail masks sensitive information ({', '.join(sorted(scores))})."
    return SafetyViolation(
        violation_level="error",
        user_message=user_message,
        categories=sorted(scores),
        category_scores=scores,
        metadata=metadata,
    )


def moderation_result(response: dict[str, Any]) -> ModerationResult:
    """One OpenAI moderation result: every OpenAI category, then the guardrail's own findings.

    A category is flagged when the guardrail acted on it; its score is the finding's, also
    for findings detected but not acted on (a filter in detect mode, a low confidence).
    """
    flagged = response.get("action") == "GUARDRAIL_INTERVENED"
    assessments = list(response.get("assessments") or [])
    acted = _scores(assessments, acted_only=True)
    categories = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, False)
    scores = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, 0.0)
    for category, score in _scores(assessments, acted_only=False).items():
        categories[category] = flagged and category in acted
        scores[category] = score
    applied = {category: ["text"] for category in acted} if flagged else {}
    return ModerationResult(
        flagged=flagged, categories=categories, category_scores=scores, category_applied_input_types=applied
    )
