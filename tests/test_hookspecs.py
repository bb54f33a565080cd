"""Every hook spec is documented and exercised here; hooks can veto and post-process store calls."""
import inspect

import pytest

from omegaml_core import hookspecs
from omegaml_core.discovery import registry
from omegaml_core.errors import PromotionRefused
from omegaml_core.hookspecs import hookimpl
from omegaml_core.hooks import Hooks, build_manager

SPECS = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("omega_")]


class Recorder:
    """A hook plugin that records every call and can veto or replace."""

    def __init__(self):
        self.calls = []
        self.veto = set()

    def _record(self, name, **kwargs):
        self.calls.append(name)
        if name in self.veto:
            raise PromotionRefused(f"{name} refused by test") if "promote" in name else RuntimeError(f"{name} refused")

    @hookimpl
    def omega_resolve_name(self, store, name):
        self._record("resolve_name")
        return "real" if name == "alias" else None

    @hookimpl
    def omega_before_put(self, store, name, obj, kind, attributes, kwargs):
        self._record("before_put")

    @hookimpl
    def omega_after_put(self, store, meta):
        self._record("after_put")

    @hookimpl
    def omega_before_get(self, store, meta, kwargs):
        self._record("before_get")

    @hookimpl
    def omega_after_get(self, store, meta, obj):
        self._record("after_get")
        return {"wrapped": obj} if meta.attributes.get("wrap") else None

    @hookimpl
    def omega_before_drop(self, store, meta):
        self._record("before_drop")

    @hookimpl
    def omega_after_drop(self, store, meta):
        self._record("after_drop")

    @hookimpl
    def omega_before_promote(self, store, meta, target):
        self._record("before_promote")

    @hookimpl
    def omega_after_promote(self, store, meta, target, target_meta):
        self._record("after_promote")

    @hookimpl
    def omega_before_task(self, task, omega, args, kwargs):
        self._record("before_task")

    @hookimpl
    def omega_after_task(self, task, omega, result):
        self._record("after_task")

    @hookimpl
    def omega_doctor(self, config):
        self._record("doctor")
        return [("recorder", False, "a plugin's line")]


@pytest.fixture
def recorder(om):
    rec = Recorder()
    pm = build_manager(registry())
    pm.register(rec, name="recorder")
    hooks = Hooks(pm)
    om.hooks = hooks
    om["prod"].hooks = hooks
    return rec


@pytest.mark.parametrize("spec", SPECS)
def test_every_hook_spec_is_documented_and_tested_here(spec):
    assert inspect.getdoc(getattr(hookspecs, spec)), f"{spec} has no docstring"
    short = spec[len("omega_"):]
    assert f"test_hook_{short}" in globals(), f"no test_hook_{short} in this module"
    assert spec in open("docs/plugins.md", encoding="utf-8").read(), f"{spec} is not in docs/plugins.md"


def test_hook_resolve_name(om, recorder):
    om.datasets.put([1], "real")
    assert om.datasets.get("alias") == [1]


def test_hook_before_put(om, recorder):
    recorder.veto.add("before_put")
    with pytest.raises(RuntimeError, match="before_put refused"):
        om.datasets.put([1], "x")
    assert om.datasets.list() == [] and om.engine.list_blobs() == []


def test_hook_after_put(om, recorder):
    om.datasets.put([1], "x")
    assert recorder.calls[-1] == "after_put"


def test_hook_before_get(om, recorder):
    om.datasets.put([1], "x")
    recorder.veto.add("before_get")
    with pytest.raises(RuntimeError, match="before_get refused"):
        om.datasets.get("x")


def test_hook_after_get(om, recorder):
    om.datasets.put([1], "x", attributes={"wrap": True})
    assert om.datasets.get("x") == {"wrapped": [1]}


def test_hook_before_drop(om, recorder):
    om.datasets.put([1], "x")
    recorder.veto.add("before_drop")
    with pytest.raises(RuntimeError):
        om.datasets.drop("x")
    assert om.datasets.get("x") == [1]


def test_hook_after_drop(om, recorder):
    om.datasets.put([1], "x")
    om.datasets.drop("x")
    assert recorder.calls[-1] == "after_drop"


def test_hook_before_promote(om, recorder):
    om.datasets.put([1], "x")
    recorder.veto.add("before_promote")
    with pytest.raises(PromotionRefused):
        om.datasets.promote("x", om["prod"].datasets)
    assert om["prod"].datasets.list() == []


def test_hook_after_promote(om, recorder):
    om.datasets.put([1], "x")
    om.datasets.promote("x", om["prod"].datasets)
    assert recorder.calls[-1] == "after_promote"


def test_hook_before_task(om, recorder):
    om.hooks.before_task("task.name", om, (), {})
    assert recorder.calls == ["before_task"]


def test_hook_after_task(om, recorder):
    om.hooks.after_task("task.name", om, 42)
    assert recorder.calls == ["after_task"]


def test_hooks_run_in_order_around_a_put(om, recorder):
    om.datasets.put([1], "x")
    om.datasets.get("x")
    assert recorder.calls == ["before_put", "after_put", "resolve_name", "before_get", "after_get"]


def test_hook_doctor(om, recorder):
    from omegaml_core.doctor import checks

    lines = checks(om.config, hooks=om.hooks)
    assert recorder.calls == ["doctor"]
    assert [(c.topic, c.protected, c.detail) for c in lines][-1] == ("recorder", False, "a plugin's line")
