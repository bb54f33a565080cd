"""omegaml-server: the REST API of omegaml (omega|ml's resources, the Open Inference Protocol), with accounts.

    om users add alice && om keys create alice && om serve

    from omegaml_server import Client
    client = Client("http://127.0.0.1:8000", "alice", key)
    client.datasets.get("sales")

Route plugins: see ``omegaml_server.plugins`` (the ``omegaml.api`` contract).
Accounts for other services: ``omegaml_server.accounts``.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Client", "create_app", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Client":
        from .client import Client

        return Client
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'omegaml_server' has no attribute {name!r}")
