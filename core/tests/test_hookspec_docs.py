"""Every hookspec is documented in its docstring and in CONTRIBUTING.md's hook reference."""

from __future__ import annotations

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


def test_every_hookspec_is_in_the_contributing_hook_reference() -> None:
    reference = CONTRIBUTING.read_text().split("## Hook reference", 1)[1]
    missing = [name for name in hook_names() if f"`{name}" not in reference]
    assert not missing, f"document these hooks in CONTRIBUTING.md's hook reference: {missing}"
