"""With omegaml-keras installed, working with the store imports neither TensorFlow nor Keras until a Keras model is used."""
import os
import subprocess
import sys
import textwrap


def run_python(code, tmp_path):
    env = {**os.environ, "OMEGA_HOME": str(tmp_path / "home"), "OMEGA_MONGO_URL": f"sqlite:///{tmp_path}/o.db",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("OMEGA_BROKER", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=120)


HEAVY = "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"


def test_import_list_and_other_puts_import_neither_tensorflow_nor_keras(tmp_path):
    result = run_python(f"""
        import sys
        import omegaml_core as om
        om.models.list()
        om.datasets.put({{"a": 1}}, "x")   # chooses a kind: every backend's supports() is asked
        om.datasets.list(); om.datasets.get("x")
        assert "keras.model" in [k for p in om.plugins() for k in p["kinds"]]
        {HEAVY}
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_listing_stored_keras_models_imports_neither(tmp_path):
    stored = run_python("""
        import keras, omegaml_core as om
        om.models.put(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), "m")
    """, tmp_path)
    assert stored.returncode == 0, stored.stderr
    result = run_python(f"""
        import sys
        import omegaml_core as om
        print(om.models.list(), om.models.metadata("m").kind)
        {HEAVY}
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['m'] keras.model", "[]"]


def test_getting_a_keras_model_imports_keras(tmp_path):
    run_python("""
        import keras, omegaml_core as om
        om.models.put(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), "m")
    """, tmp_path)
    result = run_python(f"""
        import sys
        import omegaml_core as om
        print(type(om.models.get("m")).__name__)
        {HEAVY}
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["Sequential", "['keras', 'tensorflow']"]
