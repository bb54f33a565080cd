"""Writing and reading ``.keras`` archives, and refusing models that could not be read back.

Keras saves and loads the native format only through a path, so callers
hand in a path inside a temporary directory. Keras is imported inside the
functions, never at module import.
"""
from __future__ import annotations

import importlib
import io
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator

#: Packages whose classes Keras finds by module name when loading; anything else must be registered.
KERAS_PACKAGES = {"keras", "keras_hub", "keras_cv", "keras_nlp"}
#: File name Keras requires for the native format.
ARCHIVE_NAME = "model.keras"


def describe(model: Any) -> str:
    """``module.QualName`` of a model's class, for messages and metadata."""
    return f"{type(model).__module__}.{type(model).__qualname__}"


def check_savable(model: Any, name: str) -> dict[str, Any]:
    """The model's serialized config (what ``model.save`` writes as config.json).

    Raises TypeError, before anything is written, if Keras cannot serialize the
    model or could not load it again because a custom class is not registered.
    """
    import keras

    try:
        config = keras.saving.serialize_keras_object(model)
    except (NotImplementedError, TypeError, ValueError) as exc:
        raise TypeError(
            f"keras.model: cannot store {describe(model)} as {name!r} because Keras cannot save it: "
            f"{_first_sentences(exc)} Give custom classes a get_config() that returns their constructor "
            "arguments and decorate them with @keras.saving.register_keras_serializable()."
        ) from exc
    unregistered = sorted(set(_unregistered_classes(config)))
    if unregistered:
        raise TypeError(
            f"keras.model: cannot store {describe(model)} as {name!r}: Keras could save it but not load it "
            f"again, because these classes are not registered: {', '.join(unregistered)}. Decorate them with "
            "@keras.saving.register_keras_serializable() in an importable module (not __main__ if workers "
            "are to load the model), then put the model again."
        )
    return config


def can_write_to(stream: Any) -> bool:
    """True if Keras can write the archive straight into ``stream`` (a seekable io file), saving a copy."""
    try:
        from keras.src.saving import saving_lib  # the public save_model takes paths only
    except ImportError:
        return False
    return hasattr(saving_lib, "save_model") and isinstance(stream, io.IOBase) and stream.seekable()


def write_archive(model: Any, target: Any) -> None:
    """Save ``model`` in the native format to a ``.keras`` path, or to a stream ``can_write_to`` accepts."""
    if isinstance(target, (str, Path)):
        model.save(target)
    else:
        from keras.src.saving import saving_lib

        saving_lib.save_model(model, target)


def archive_facts(model: Any, config: dict[str, Any], size: int) -> dict[str, Any]:
    """What ``kind_meta`` records about a stored model."""
    return {
        "format": "keras_v3",
        "class": describe(model),
        "keras_version": sys.modules["keras"].__version__,
        "backend": sys.modules["keras"].backend.backend(),
        "params": _count_params(model),
        "optimizer_built": bool(getattr(getattr(model, "optimizer", None), "built", False)),
        "modules": _custom_modules(config),
        "bytes": size,
    }


def load_archive(path: Path, kind_meta: dict[str, Any], name: str, **load_kwargs: Any) -> Any:
    """Load the model in ``path``, importing the modules that register its custom classes first."""
    import keras

    import_custom_modules(kind_meta.get("modules", []), name)
    try:
        with warnings.catch_warnings():
            if not kind_meta.get("optimizer_built", True):
                # an optimizer that never trained has no state to restore; Keras warns about that
                warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return keras.saving.load_model(path, **load_kwargs)
    except TypeError as exc:
        if "Could not locate" not in str(exc):
            raise
        raise TypeError(
            f"keras.model: cannot load {name!r}: a custom class it uses is not registered in this process "
            f"({_first_sentences(exc)}) Import the module that defines it, or pass "
            "custom_objects={'Name': cls} to get()."
        ) from exc


def import_custom_modules(modules: list[str], name: str) -> None:
    """Import the modules defining a model's custom classes, so their registration decorators run."""
    for module in modules:
        if module in sys.modules:
            continue
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ImportError(
                f"keras.model: {name!r} uses custom classes from module {module!r}, which cannot be "
                f"imported here ({exc}); install it where the model is loaded"
            ) from exc


def _unregistered_classes(config: Any) -> list[str]:
    """Class names in a serialized config that Keras could not resolve when loading."""
    import keras

    found: list[str] = []
    for entry in _objects(config):
        module, class_name = entry.get("module"), entry["class_name"]
        if class_name == "function" or _is_keras_module(module):
            continue
        if keras.saving.get_registered_object(entry.get("registered_name") or class_name) is None:
            found.append(f"{module}.{class_name}" if module else class_name)
    return found


def _custom_modules(config: Any) -> list[str]:
    """Importable modules (not Keras', not __main__) defining the custom classes and functions a config uses."""
    import keras

    modules = set()
    for entry in _objects(config):
        module = entry.get("module")
        if entry["class_name"] == "function" and isinstance(entry.get("config"), str):
            # registered functions are saved by name only: ask the registry where they live
            module = getattr(keras.saving.get_registered_object(entry["config"]), "__module__", None)
        if isinstance(module, str) and module not in ("builtins", "__main__") and not _is_keras_module(module):
            modules.add(module)
    return sorted(modules)


def _objects(config: Any) -> Iterator[dict[str, Any]]:
    """Every serialized object (class or function) in a Keras config, skipping Keras' literals (``__tensor__``...)."""
    if isinstance(config, dict):
        class_name = config.get("class_name")
        if isinstance(class_name, str) and not class_name.startswith("__") and "config" in config:
            yield config
        for value in config.values():
            yield from _objects(value)
    elif isinstance(config, list):
        for value in config:
            yield from _objects(value)


def _is_keras_module(module: Any) -> bool:
    return isinstance(module, str) and module.split(".", 1)[0] in KERAS_PACKAGES


def _count_params(model: Any) -> int | None:
    try:
        return int(model.count_params())
    except ValueError:  # not built yet: no weights
        return None


def _first_sentences(exc: BaseException, limit: int = 300) -> str:
    """An exception's message on one line, without the long examples Keras appends."""
    text = re.sub(r"\s+", " ", str(exc).split("Example:")[0]).strip()
    text = text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."
    return text if text.endswith((".", "...")) else text + "."
