"""Scripts: packages built into wheels, run in their own cached environments."""
import importlib.util
import threading

import pytest
from scripts_helpers import make_project

from omegaml_scripts import ScriptBuildError, ScriptEnvironmentError, ScriptTimeoutError, envs, scripts

pytestmark = pytest.mark.timeout(180)

GREETER = """
    import omtest_greeting

    def run(om, who="world", **kwargs):
        print("greeting", who)
        om.datasets.put({"greeted": who}, "greeted")
        return {"greeting": omtest_greeting.greet(who), "version": omtest_greeting.VERSION, "bucket": om.bucket}
"""


def test_putting_a_pkg_url_builds_a_wheel_and_records_name_version_and_requirements(om, tmp_path):
    project = make_project(tmp_path, "greeter", "1.2", ["omtest_greeting>=1"], GREETER)
    meta = om.scripts.put(f"pkg://{project}", "greeter")
    assert meta.kind == "python.package"
    km = meta.kind_meta
    assert (km["package"], km["version"], km["requirements"], km["modules"]) == (
        "greeter", "1.2", ["omtest_greeting>=1"], ["greeter"])
    assert km["wheel"].startswith("greeter-1.2-") and km["wheel"].endswith(".whl")
    assert sorted(p.name for p in project.iterdir()) == ["greeter", "pyproject.toml"]  # built on a copy


def test_a_script_runs_with_a_requirement_the_caller_does_not_have(om, tmp_path):
    assert importlib.util.find_spec("omtest_greeting") is None
    om["team"].scripts.put(str(make_project(tmp_path, "greeter", "1.0", ["omtest_greeting"], GREETER)), "greeter")
    out = scripts(om["team"]).run("greeter", who="ana")
    assert set(out) >= {"script", "kwargs", "result", "runtime", "started"}
    assert out["result"] == {"greeting": "hello ana", "version": "2.0", "bucket": "team"}
    assert (out["script"], out["kwargs"], out["stdout"]) == ("greeter", {"who": "ana"}, "greeting ana\n")
    assert om["team"].datasets.get("greeted") == {"greeted": "ana"}


def test_scripts_with_conflicting_requirements_each_get_their_own(om, tmp_path):
    om.scripts.put(str(make_project(tmp_path / "a", "old_greeter", "1.0", ["omtest_greeting==1.0"], GREETER)), "old")
    om.scripts.put(str(make_project(tmp_path / "b", "new_greeter", "1.0", ["omtest_greeting==2.0"], GREETER)), "new")
    assert scripts(om).run("old")["result"]["version"] == "1.0"
    assert scripts(om).run("new")["result"]["version"] == "2.0"


def test_a_single_module_with_run_is_a_one_module_script(om, tmp_path):
    path = tmp_path / "adder.py"
    path.write_text("def run(om, a=0, b=0):\n    return a + b\n")
    meta = om.scripts.put(str(path), "adder")
    assert (meta.kind, meta.kind_meta["type"]) == ("python.package", "module")
    assert om.runtime.script("adder").run(a=2, b=3).get()["result"] == 5


def test_a_py_file_without_run_is_refused_as_a_script(om, tmp_path):
    path = tmp_path / "helper.py"
    path.write_text("x = 1\n")
    with pytest.raises(ValueError, match=r"a .py file that defines run\(om, \*\*kwargs\)"):
        om.scripts.put(str(path), "helper", kind="python.package")
    assert om.scripts.list() == []


def test_a_project_that_does_not_build_fails_with_the_builders_reason_and_stores_nothing(om, tmp_path):
    project = make_project(tmp_path, "broken", "1.0")
    (project / "pyproject.toml").write_text("[project]\nname = 'broken'\nversion = 'not a version'\n")
    with pytest.raises(ScriptBuildError, match="cannot build a wheel from .*broken"):
        om.scripts.put(f"pkg://{project}", "broken")
    assert om.scripts.list() == [] and om.engine.list_blobs() == []


def test_arguments_that_json_cannot_carry_are_refused_before_running(om, tmp_path):
    path = tmp_path / "echo.py"
    path.write_text("def run(om, **kw):\n    return kw\n")
    om.scripts.put(str(path), "echo")
    with pytest.raises(TypeError, match="is not a JSON value"):
        scripts(om).run("echo", when=object())


def test_running_something_that_is_not_a_script_says_what_it_is(om):
    om.scripts.put({"plain": 1}, "plain")
    with pytest.raises(TypeError, match="is of kind 'python.data', not python.package"):
        scripts(om).run("plain")


def test_a_script_that_raises_gives_the_caller_its_exception_type_and_message(om, tmp_path):
    om.scripts.put(str(make_project(tmp_path, "failing", body="def run(om, **kw):\n    raise ValueError('bad input 42')\n")),
                   "failing")
    with pytest.raises(ValueError, match="bad input 42"):
        scripts(om).run("failing")
    with pytest.raises(ValueError, match="bad input 42"):
        om.runtime.script("failing").run().get()


def test_an_exception_type_only_the_script_has_comes_back_under_its_name(om, tmp_path):
    body = "class QuotaExceeded(RuntimeError):\n    pass\n\ndef run(om, **kw):\n    raise QuotaExceeded('over quota')\n"
    om.scripts.put(str(make_project(tmp_path, "quota", body=body)), "quota")
    with pytest.raises(RuntimeError, match="over quota") as info:
        scripts(om).run("quota")
    assert type(info.value).__name__ == "QuotaExceeded"


def test_requirements_that_cannot_be_installed_fail_with_the_reason_once_and_are_remembered(om, tmp_path, monkeypatch):
    om.scripts.put(str(make_project(tmp_path, "needy", requires=["omtest_does_not_exist>=1"])), "needy")
    with pytest.raises(ScriptEnvironmentError, match="omtest-does-not-exist|omtest_does_not_exist") as first:
        scripts(om).run("needy")

    def must_not_install(*args, **kwargs):
        raise AssertionError("installed again")

    monkeypatch.setattr(envs, "_install", must_not_install)
    with pytest.raises(ScriptEnvironmentError) as second:
        scripts(om).run("needy")
    assert str(second.value) == str(first.value) and "remembered for this version" in str(second.value)


def test_a_script_running_too_long_is_stopped(om, tmp_path):
    om.scripts.put(str(make_project(tmp_path, "sleepy", body="import time\ndef run(om, **kw):\n    time.sleep(60)\n")),
                   "sleepy")
    with pytest.raises(ScriptTimeoutError, match="ran longer than 2 s"):
        scripts(om).run("sleepy", timeout=2)


def test_output_is_kept_up_to_the_limit(om, tmp_path, monkeypatch):
    from omegaml_scripts import runner

    monkeypatch.setattr(runner, "OUTPUT_LIMIT", 1000)
    body = "import sys\ndef run(om, **kw):\n    print('x' * 5000)\n    print('last line', file=sys.stderr)\n"
    om.scripts.put(str(make_project(tmp_path, "chatty", body=body)), "chatty")
    out = scripts(om).run("chatty")
    assert out["stdout"].startswith("[... 4001 bytes cut ...]\n") and len(out["stdout"]) < 1100
    assert out["stderr"] == "last line\n"


def test_two_preparations_of_the_same_environment_install_it_once(om, tmp_path, monkeypatch):
    om.scripts.put(str(make_project(tmp_path, "shared_env", requires=["omtest_greeting"])), "shared")
    calls, real_install = [], envs._install

    def counting_install(*args):
        calls.append(1)
        return real_install(*args)

    monkeypatch.setattr(envs, "_install", counting_install)
    meta = om.scripts.metadata("shared")
    results, errors = [], []

    def prepare():
        try:
            results.append(envs.prepare(om.scripts, "shared", meta))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=prepare) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(calls) == 1 and len(set(results)) == 1


def test_gc_removes_environments_unused_for_a_while_and_keeps_recent_ones(om, tmp_path, script_env, monkeypatch):
    import os

    monkeypatch.setenv("OMEGA_SCRIPTS_ENVS", str(tmp_path / "envs"))
    path = tmp_path / "one.py"
    path.write_text("def run(om):\n    return 1\n")
    om.scripts.put(str(path), "one")
    scripts(om).run("one")
    (env,) = (tmp_path / "envs").glob("one-*/")
    assert envs.collect(3600) == []
    os.utime(env / ".used", (1, 1))
    assert envs.collect(3600) == [env.name] and not env.exists()


def test_without_uv_the_environment_is_built_with_venv_and_pip(om, tmp_path, monkeypatch):
    monkeypatch.setattr(envs, "_uv", lambda: None)
    om.scripts.put(str(make_project(tmp_path, "pip_greeter", requires=["omtest_greeting==1.0"], body=GREETER)), "pip")
    assert scripts(om).run("pip")["result"]["version"] == "1.0"
