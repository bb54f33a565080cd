"""Plugins are found through entry points; a broken or conflicting plugin never breaks the others."""
from __future__ import annotations

import pytest

from helpers import make_distribution, run_python
from omegaml_core.discovery import Registry, install_hint
from omegaml_core.errors import KindConflictError, PluginError, UnknownKindError

THING_BACKEND = """
    from omegaml_core.backends import BaseDataBackend

    class Thing:
        def __init__(self, value): self.value = value

    class ThingBackend(BaseDataBackend):
        priority = 5
        @classmethod
        def supports(cls, obj, name, **kwargs):
            return isinstance(obj, Thing)
        def put(self, obj, name, meta, append=False, **kwargs):
            meta.kind_meta = {"value": obj.value}
            return meta
        def get(self, name, meta, **kwargs):
            return Thing(meta.kind_meta["value"])
"""


@pytest.fixture
def site(tmp_path):
    return tmp_path / "site"


def test_a_third_party_backend_is_found_through_its_entry_point(site, tmp_path):
    make_distribution(site, "thing-plugin", "1.2", {"omegaml.backends": {"thing.obj": "thingmod:ThingBackend"}},
                      {"thingmod": THING_BACKEND})
    result = run_python(f"""
        import omegaml_core as om, thingmod
        o = om.setup(mongo_url="sqlite:///{tmp_path}/o.db")
        print(o.datasets.put(thingmod.Thing(41), "t").kind, o.datasets.get("t").value)
        print([d["distribution"] + " " + d["version"] for d in o.plugins() if "thing.obj" in d["kinds"]])
    """, site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["thing.obj 41", "['thing-plugin 1.2']"]


def test_a_plugin_that_fails_to_import_is_reported_and_the_others_still_work(site, tmp_path):
    make_distribution(site, "broken-plugin", "0.1", {"omegaml.backends": {"broken.kind": "brokenmod:Backend"}},
                      {"brokenmod": "import a_module_that_does_not_exist\n"})
    result = run_python(f"""
        import omegaml_core as om
        o = om.setup(mongo_url="sqlite:///{tmp_path}/o.db")
        print(o.datasets.put({{"a": 1}}, "d").kind)
        report = [d for d in o.plugins() if d["distribution"] == "broken-plugin"][0]
        print(report["errors"])
        try:
            o.datasets.put({{"a": 1}}, "x", kind="broken.kind")
        except Exception as exc:
            print(type(exc).__name__, exc)
    """, site)
    assert result.returncode == 0, result.stderr
    kind, errors, error = result.stdout.strip().split("\n")
    assert kind == "python.data"
    assert "ModuleNotFoundError" in errors and "a_module_that_does_not_exist" in errors
    assert error.startswith("PluginError") and "broken-plugin" in error and "Fix or reinstall" in error


def test_two_distributions_claiming_one_kind_is_an_error_naming_both(site, tmp_path):
    make_distribution(site, "first-dist", "1.0", {"omegaml.backends": {"thing.obj": "thingmod:ThingBackend"}},
                      {"thingmod": THING_BACKEND})
    make_distribution(site, "second-dist", "2.0", {"omegaml.backends": {"thing.obj": "thingmod2:ThingBackend"}},
                      {"thingmod2": THING_BACKEND})
    result = run_python(f"""
        import omegaml_core as om, thingmod
        o = om.setup(mongo_url="sqlite:///{tmp_path}/o.db")
        print(o.datasets.put([1], "still-works").kind)
        for call in (lambda: o.datasets.put(thingmod.Thing(1), "t"),
                     lambda: o.datasets.put(thingmod.Thing(1), "t", kind="thing.obj")):
            try:
                call()
            except Exception as exc:
                print(type(exc).__name__, exc)
        print([e for d in o.plugins() for e in d["errors"] if "thing.obj" in e])
    """, site)
    assert result.returncode == 0, result.stderr
    still, auto, forced, report = result.stdout.strip().split("\n")
    assert still == "python.data"
    for line in (auto, forced):
        assert line.startswith("KindConflictError") and "first-dist 1.0" in line and "second-dist 2.0" in line
    assert "first-dist" in report and "second-dist" in report


class _Picky:
    priority = 0

    @classmethod
    def supports(cls, obj, name, **kwargs):
        raise RuntimeError("bug in a plugin")


class _Always:
    priority = 0

    def __init__(self, store, kind):
        self.store, self.kind = store, kind

    @classmethod
    def supports(cls, obj, name, **kwargs):
        return True


def test_an_exception_in_supports_is_recorded_and_selection_goes_on(om):
    om._registry = Registry.from_entries({"omegaml.backends": {"a.picky": _Picky, "b.always": _Always}})
    assert om.datasets.select_kind(object(), "x") == "b.always"
    assert any("a.picky.supports raised RuntimeError" in e for d in om.plugins() for e in d["errors"])


def test_selection_order_is_priority_then_kind_not_install_order():
    class Low(_Always):
        priority = 1

    class High(_Always):
        priority = 9

    first = Registry.from_entries({"omegaml.backends": {"z.high": High, "a.low": Low, "b.low": Low}})
    second = Registry.from_entries({"omegaml.backends": {"b.low": Low, "a.low": Low, "z.high": High}})
    assert [k for k, _ in first.backend_candidates()] == ["z.high", "a.low", "b.low"]
    assert [k for k, _ in second.backend_candidates()] == ["z.high", "a.low", "b.low"]


def test_an_unknown_kind_lists_the_installed_ones():
    reg = Registry.from_entries({"omegaml.backends": {"a.kind": _Always}})
    with pytest.raises(UnknownKindError, match="a.kind"):
        reg.backend_class("no.such")


def test_an_unknown_url_scheme_names_the_installed_engines():
    reg = Registry.from_entries({"omegaml.engines": {"sqlite": object}})
    with pytest.raises(UnknownKindError, match="sqlite"):
        reg.engine_class("redis://localhost")


def test_a_conflict_in_the_registry_names_both_distributions():
    reg = Registry.from_entries({"omegaml.backends": {"x.k": _Always}}, dist="one")
    reg.register("omegaml.backends", "x.k", _Always, dist="two")
    with pytest.raises(KindConflictError, match="one.*two"):
        reg.backend_class("x.k")


def test_install_hints_name_the_plugin_for_well_known_types():
    fake_frame = type("DataFrame", (), {"__module__": "pandas.core.frame"})()
    assert install_hint(fake_frame) == "pip install omegaml-pandas"
    assert install_hint(object()) is None


def test_putting_an_unsupported_object_names_type_kinds_and_plugin(om):
    fake_frame = type("DataFrame", (), {"__module__": "pandas.core.frame"})()
    with pytest.raises(TypeError) as info:
        om.datasets.put(fake_frame, "df")
    message = str(info.value)
    assert "pandas.core.frame.DataFrame" in message and "python.data" in message
    assert "pip install omegaml-pandas" in message
    assert om.datasets.list() == []


def test_a_broken_plugins_kind_raises_plugin_error_on_get(om, monkeypatch):
    om.datasets.put({"a": 1}, "d")
    reg = Registry.from_entries({})
    from omegaml_core.discovery import PluginEntry
    reg.entries.append(PluginEntry("omegaml.backends", "python.data", "x:y", dist="omegaml-core", loaded=True,
                                   error="ImportError: boom"))
    om._registry = reg
    with pytest.raises(PluginError, match="omegaml-core.*ImportError: boom"):
        om.datasets.get("d")


@pytest.mark.parametrize("value, error", [
    ("goodmod:NoSuchClass", "AttributeError"),
    ("crashmod:Backend", "ZeroDivisionError"),
])
def test_a_bad_entry_point_is_shown_by_om_plugins_and_the_rest_works(site, tmp_path, value, error):
    make_distribution(site, "bad-ep", "0.3", {"omegaml.backends": {"bad.kind": value}},
                      {"goodmod": "class Fine: pass\n", "crashmod": "Backend = 1 / 0\n"})
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(site), "OMEGA_HOME": str(tmp_path / "home")}
    om = str(Path(sys.executable).with_name("om"))
    result = subprocess.run([om, "plugins"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0
    section = result.stdout[result.stdout.index("bad-ep 0.3"):]
    assert "kinds: bad.kind" in section and f"ERROR omegaml.backends:bad.kind: {error}" in section
    listed = subprocess.run([om, "datasets", "list"], capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0
