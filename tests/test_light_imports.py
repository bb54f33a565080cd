"""The kernel stays light: listing a store imports no data-science library."""
from helpers import run_python

HEAVY = ("pandas", "sklearn", "sqlalchemy", "tensorflow", "keras", "numpy", "celery")


def test_import_and_list_import_no_heavy_library(tmp_path):
    result = run_python(f"""
        import sys
        import omegaml_core as om
        o = om.setup(mongo_url="sqlite:///{tmp_path}/o.db")
        o.datasets.put({{"a": 1}}, "x")
        o.datasets.list(); o.models.list(); o.datasets.get("x")
        print(" ".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_default_context_is_created_lazily(tmp_path):
    result = run_python("""
        import omegaml_core as om
        print(om._default is None)
        om.datasets.list()
        print(om._default is not None, om['prod'].bucket)
    """, env={"OMEGA_HOME": str(tmp_path)})
    assert result.stdout.split() == ["True", "True", "prod"], result.stderr
