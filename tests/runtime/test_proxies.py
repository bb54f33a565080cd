"""Plugins add runtime proxies such as ``om.runtime.job(name)`` by registering tasks with ``proxy=``."""
import pytest

from omegaml_core.errors import PluginError
from omegaml_core.runtime import taskdefs
from omegaml_core.runtime.taskdefs import task


@pytest.fixture
def echo_task():
    @task("test.echo.run", proxy="echo.run", store="datasets")
    def echo(om, name, *args, **kwargs):
        return {"name": name, "args": list(args), "kwargs": kwargs, "bucket": om.bucket}

    yield echo
    taskdefs.TASKS.pop("test.echo.run", None)


def test_a_task_with_a_proxy_becomes_a_method_of_that_runtime_proxy(om, echo_task):
    om.datasets.put({"a": 1}, "thing")
    result = om.runtime.echo("thing").run(1, x=2).get()
    assert result == {"name": "thing", "args": [1], "kwargs": {"x": 2}, "bucket": "omega"}


def test_a_proxy_call_for_a_missing_object_names_it(om, echo_task):
    with pytest.raises(KeyError, match="missing"):
        om.runtime.echo("missing").run()


def test_an_unknown_proxy_lists_the_installed_ones(om, echo_task):
    with pytest.raises(AttributeError, match="no 'nothing' proxy; installed proxies: model, echo"):
        om.runtime.nothing("x")


def test_an_unknown_proxy_method_lists_the_proxys_methods(om, echo_task):
    with pytest.raises(AttributeError, match="has no method 'walk'; methods: run"):
        om.runtime.echo("thing").walk()


def test_a_malformed_proxy_is_refused_at_registration():
    with pytest.raises(PluginError, match="proxy must look like 'job.run'"):
        task("test.bad", proxy="job")(lambda om: None)
