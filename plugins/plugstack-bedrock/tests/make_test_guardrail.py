"""Create the guardrail the safety tests record against, and note its id for them.

Guardrail ids are chosen by the server (ministack: ``gr-`` and 12 hex digits; AWS: 12
characters), and the id is part of every ApplyGuardrail path a cassette holds, so the
tests read it from ``tests/cassettes/guardrail.json``, which this script writes. Run it
once before recording (see ``tests/cassettes/README.md``)::

    python plugins/plugstack-bedrock/tests/make_test_guardrail.py                 # ministack on 127.0.0.1:18432
    python plugins/plugstack-bedrock/tests/make_test_guardrail.py --aws           # boto3's credential chain

It creates the DRAFT guardrail below and publishes it as version 1.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import boto3

OUT = Path(__file__).parent / "cassettes" / "guardrail.json"

BLOCKED_INPUT = "Sorry, I cannot help with that: the request contains sensitive information."
BLOCKED_OUTPUT = "Sorry, the answer was withheld by the guardrail."

GUARDRAIL: dict[str, Any] = {
    "name": "plugstack-test-guardrail",
    "description": "plugstack-bedrock's safety tests",
    "blockedInputMessaging": BLOCKED_INPUT,
    "blockedOutputsMessaging": BLOCKED_OUTPUT,
    "wordPolicyConfig": {"wordsConfig": [{"text": "rumplestiltskin"}]},
    "sensitiveInformationPolicyConfig": {
        "piiEntitiesConfig": [
            {"type": "CREDIT_DEBIT_CARD_NUMBER", "action": "BLOCK"},
            # detected but let through in questions, masked in answers
            {"type": "EMAIL", "action": "ANONYMIZE", "inputAction": "NONE", "outputAction": "ANONYMIZE"},
        ],
        "regexesConfig": [{"name": "employee_id", "pattern": r"EMP-\d{6}", "action": "BLOCK"}],
    },
    # model-graded: evaluated by AWS, not by ministack (its ApplyGuardrail skips them)
    "contentPolicyConfig": {
        "filtersConfig": [
            {"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"},
            {"type": "VIOLENCE", "inputStrength": "HIGH", "outputStrength": "HIGH"},
        ]
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="http://127.0.0.1:18432", help="the emulator (default: ministack)")
    parser.add_argument("--aws", action="store_true", help="create it in the real AWS account of the chain")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    options: dict[str, Any] = {"region_name": args.region}
    if not args.aws:
        options |= {"endpoint_url": args.endpoint, "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    control = boto3.client("bedrock", **options)
    created = control.create_guardrail(**GUARDRAIL)
    version = control.create_guardrail_version(guardrailIdentifier=created["guardrailId"])["version"]
    OUT.write_text(json.dumps({"guardrail_id": created["guardrailId"], "guardrail_version": version}, indent=2) + "\n")
    print(f"guardrail {created['guardrailId']} version {version} -> {OUT}")


if __name__ == "__main__":
    main()
