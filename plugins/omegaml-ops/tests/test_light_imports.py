"""What every `om` call and every runtime task imports from this plugin stays light."""
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "alembic", "fastapi", "pandas", "omegaml_server")


@pytest.mark.parametrize("module", ["omegaml_ops", "omegaml_ops.cli", "omegaml_ops.hooks", "omegaml_ops.tasks",
                                    "omegaml_ops.api"])
def test_importing_does_not_import_heavy_libraries(module):
    code = (f"import sys, {module}; from omegaml_ops.cli import add_commands; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
