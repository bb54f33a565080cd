"""TensorFlow loads its own, newer SQLite into the process; the embedded store must stay usable by processes without it."""
from test_keras_light_imports import run_python


def test_a_store_first_written_by_a_tensorflow_process_stays_writable_without_tensorflow(tmp_path):
    with_tf = run_python("""
        import tensorflow, sqlite3, omegaml_core as om
        print(sqlite3.sqlite_version)
        om.datasets.put({"written": "with tensorflow"}, "a")
        om.models.put({"a": 1}, "b")
    """, tmp_path)
    assert with_tf.returncode == 0, with_tf.stderr
    without_tf = run_python("""
        import sys, omegaml_core as om
        om.datasets.put({"written": "without"}, "a")
        om.datasets.put([1], "c")
        print(om.datasets.get("a"), om.datasets.list(), "tensorflow" in sys.modules)
    """, tmp_path)
    assert without_tf.returncode == 0, without_tf.stderr
    assert without_tf.stdout.strip() == "{'written': 'without'} ['a', 'c'] False"
