"""Errors of scripts; the runtime re-creates them on the client by module and name."""
from __future__ import annotations

from omegaml_core.errors import OmegaError


class ScriptBuildError(OmegaError, ValueError):
    """A project could not be built into a wheel; nothing was stored."""


class ScriptEnvironmentError(OmegaError, RuntimeError):
    """A script's requirements could not be installed (remembered per script version)."""


class ScriptTimeoutError(OmegaError, TimeoutError):
    """A script ran longer than its timeout and was stopped."""
