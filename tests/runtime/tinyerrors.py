"""An exception module that only workers import (the tiny plugin's ``fail`` task raises from it)."""


class RemoteOnlyError(LookupError):
    """Raised on workers; clients never import this module."""
