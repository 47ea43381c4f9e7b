"""The HTTP API (FastAPI): a thin layer composing store, analysis and visualisations."""

from graphsvc.api.app import create_app

__all__ = ["create_app"]
