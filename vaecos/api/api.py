"""The REST API under /api/v1/ (placeholder until built)."""

from ninja import NinjaAPI

api = NinjaAPI(title="VAE COS", version="1", urls_namespace="api")
