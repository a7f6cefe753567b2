"""`tipsearch serve`: the library behind an HTTP API that answers what the CLI's --json prints."""

from tipsearch.api.app import Limits, create_app
from tipsearch.api.server import serve

__all__ = ["Limits", "create_app", "serve"]
