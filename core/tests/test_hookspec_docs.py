"""Every hookspec is documented in its docstring and in CONTRIBUTING.md's hook reference.

The reference is checked against the specs the plugin host really has, the core's and
every API's registration hook, arguments included (as datasette's docs test does).
"""

from __future__ import annotations

import re
from pathlib import Path

from plugstack.plugins import new_plugin_host

CONTRIBUTING = Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


def hook_names() -> list[str]:
    pm = new_plugin_host().pm
    return sorted(name for name in dir(pm.hook) if name.startswith("plugstack_"))


def test_every_hookspec_has_a_docstring_saying_when_it_is_called() -> None:
    pm = new_plugin_host().pm
    assert hook_names(), "no hookspecs found"
    for name in hook_names():
        spec = getattr(pm.hook, name).spec
        doc = (spec.function.__doc__ or "").strip()
        assert len(doc) > 80, f"{name} needs a docstring"
        assert "called" in doc.lower(), f"{name}'s docstring must say when it is called"


def documented_signatures() -> dict[str, list[str]]:
    """``{hook: [argument names]}`` from the rows of CONTRIBUTING.md's hook reference table."""
    reference = CONTRIBUTING.read_text().split("## Hook reference", 1)[1]
    rows = re.findall(r"^\| `(plugstack_\w+)\(([^)]*)\)`", reference, flags=re.MULTILINE)
    return {name: [arg.strip() for arg in args.split(",") if arg.strip()] for name, args in rows}


def test_every_hookspec_is_in_the_contributing_hook_reference() -> None:
    documented = documented_signatures()
    missing = [name for name in hook_names() if name not in documented]
    assert not missing, f"document these hooks in CONTRIBUTING.md's hook reference: {missing}"


def test_documented_hooks_exist_with_the_documented_arguments() -> None:
    pm = new_plugin_host().pm
    for name, arguments in documented_signatures().items():
        assert name in hook_names(), f"CONTRIBUTING.md documents {name}, which is no hook"
        spec = getattr(pm.hook, name).spec
        assert list(spec.argnames) == arguments, f"{name} takes {list(spec.argnames)}, documented as {arguments}"
