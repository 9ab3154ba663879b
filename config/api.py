"""The JSON API (django-ninja) under /api/v1/. Each app adds its router in its own api.py."""

from ninja import NinjaAPI
from ninja.security import SessionAuth

from interlude.practices.api import router as practices_router

api = NinjaAPI(
    title="Interlude API",
    version="1",
    description="Between-session data for clients and their care teams. Every read of client "
    "data passes the access gate and is audited.",
    auth=SessionAuth(),
    urls_namespace="api",
)
api.add_router("", practices_router)
