"""Exceptions raised by omegaml-core. Each says what is wrong and what to do."""
from __future__ import annotations


class OmegaError(Exception):
    """Base class of every error omegaml-core raises on purpose."""


class ObjectNotFound(OmegaError, KeyError):
    """The named object does not exist in this store and bucket."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidNameError(OmegaError, ValueError):
    """An object name that cannot be stored; nothing was written."""


class UnsupportedObjectError(OmegaError, TypeError):
    """No installed backend can store this object."""


class PluginError(OmegaError, RuntimeError):
    """A plugin failed to load, or its backend raised where it must not."""


class KindConflictError(PluginError):
    """Two distributions register the same kind."""


class UnknownKindError(PluginError, LookupError):
    """No installed plugin provides the requested kind."""


class ConcurrentWriteError(OmegaError, RuntimeError):
    """Another writer changed the object first; the write was not applied."""


class PromotionRefused(OmegaError, RuntimeError):
    """A promotion pre-condition failed; nothing was copied."""


class StorageUnavailable(OmegaError, ConnectionError):
    """The storage engine cannot be reached or opened."""


class ConfigurationError(OmegaError, ValueError):
    """The configuration (URL, config file, environment) is invalid."""


class ContextNotServed(OmegaError, PermissionError):
    """A task message names a context the worker is not configured to serve; nothing was opened."""


class KindChangeError(OmegaError, TypeError):
    """A put would silently change the kind of an existing object; nothing was written."""
class IntegrityError(OmegaError, RuntimeError):
    """Stored bytes do not match their checksum or signature; nothing was deserialized."""


class LocationExistsError(OmegaError, FileExistsError):
    """A new storage location's name is taken already; the existing bytes were not touched."""
