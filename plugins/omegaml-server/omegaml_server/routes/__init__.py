"""The server's own route modules; each is a ``routes(api) -> APIRouter`` like an ``omegaml.api`` plugin."""
