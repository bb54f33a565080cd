"""Installing the plugin keeps listing and `om --help` light: no Jupyter, cron or web libraries imported."""
import os
import subprocess
import sys

HEAVY = ["nbformat", "nbclient", "jupyter_client", "ipykernel", "croniter", "fastapi", "filelock", "zmq"]


def test_listing_jobs_and_scripts_imports_no_heavy_library(tmp_path):
    code = ("import sys, omegaml_core as om; om.datasets.list(); om.jobs.list(); om.jobs.exists('report'); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    env = {**os.environ, "OMEGA_HOME": str(tmp_path), "OMEGA_CONFIG": str(tmp_path / "none.toml")}
    env.pop("OMEGA_MONGO_URL", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


def test_om_help_imports_no_heavy_library(tmp_path):
    code = ("import sys; from omegaml_core.cli import build_parser; build_parser(); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMEGA_HOME": str(tmp_path)})
    assert out.stdout.strip() == "[]"
