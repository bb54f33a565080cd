"""Every run of a script is kept as results/<name>_<UTC time>, failed or not, newest first."""
import pytest

from omegaml_scripts import scripts
from omegaml_scripts.history import runs


def test_each_run_is_kept_with_status_output_and_result_newest_first(om, tmp_path):
    path = tmp_path / "talker.py"
    path.write_text("import sys\n\ndef run(om, fail=False, **kwargs):\n    print('out')\n"
                    "    print('err', file=sys.stderr)\n    if fail:\n        raise ValueError('asked to')\n"
                    "    return kwargs\n")
    om.scripts.put(str(path), "talker")
    scripts(om).run("talker", n=1)
    with pytest.raises(ValueError, match="asked to"):
        scripts(om).run("talker", fail=True)
    failed, ok = runs(om, "talker")
    assert ok.attributes["status"] == "ok" and ok.attributes["kwargs"] == {"n": 1} and ok.attributes["version"] == "0"
    assert om.scripts.get(ok.name) == {"stdout": "out\n", "stderr": "err\n", "result": {"n": 1}}
    assert failed.attributes["status"] == "failed" and failed.attributes["error"] == "ValueError: asked to"
    assert om.scripts.get(failed.name)["stderr"].startswith("err\n") and "result" not in om.scripts.get(failed.name)
    assert failed.attributes["started"] > ok.attributes["started"] and ok.attributes["duration"] > 0
