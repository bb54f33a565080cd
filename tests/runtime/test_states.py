"""Worker exceptions are rebuilt from JSON without importing anything a message names."""
import subprocess
import sys

from omegaml_core.runtime import RemoteError
from omegaml_core.runtime.states import exception_info, rebuild_exception


def test_builtin_and_already_imported_exception_classes_come_back_as_themselves():
    from omegaml_core.errors import ObjectNotFound

    assert type(rebuild_exception(exception_info(ValueError("bad")))) is ValueError
    exc = rebuild_exception(exception_info(ObjectNotFound("model 'm' not found")))
    assert type(exc) is ObjectNotFound and str(exc) == "model 'm' not found"


def test_a_message_never_makes_the_client_import_a_module():
    code = ("import sys; from omegaml_core.runtime.states import rebuild_exception;"
            "exc = rebuild_exception({'exc_type': 'NannyNag', 'exc_module': 'tabnanny', 'exc_message': ['x'],"
            " 'exc_bases': ['Exception']});"
            "print(type(exc).__name__, 'tabnanny' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["NannyNag", "False"]


def test_a_name_that_is_not_an_exception_class_is_never_called():
    exc = rebuild_exception({"exc_type": "system", "exc_module": "os", "exc_message": ["touch /tmp/pwned"]})
    assert isinstance(exc, RemoteError) and type(exc).__name__ == "system" and exc.args == ("touch /tmp/pwned",)


def test_base_exceptions_that_would_stop_the_client_come_back_as_lookalikes():
    exc = rebuild_exception({"exc_type": "SystemExit", "exc_module": "builtins", "exc_message": [1]})
    assert isinstance(exc, RemoteError) and not isinstance(exc, SystemExit)


def test_an_unknown_class_keeps_its_name_module_and_builtin_bases():
    exc = rebuild_exception({"exc_type": "NotFittedError", "exc_module": "somelib.exceptions",
                             "exc_message": ["fit first"], "exc_bases": ["ValueError", "AttributeError", "Exception"]})
    assert isinstance(exc, ValueError) and isinstance(exc, AttributeError) and isinstance(exc, RemoteError)
    assert (type(exc).__name__, type(exc).__module__, str(exc)) == ("NotFittedError", "somelib.exceptions", "fit first")
