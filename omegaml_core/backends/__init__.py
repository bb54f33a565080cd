"""Backend protocols. Plugins subclass these; see docs/plugins.md."""
from .base import MODEL_METHODS, BaseBackend, BaseDataBackend, BaseModelBackend

__all__ = ["BaseBackend", "BaseDataBackend", "BaseModelBackend", "MODEL_METHODS"]
