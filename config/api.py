"""The JSON API (django-ninja) under /api/v1/. Each app adds its router in its own api.py."""

from ninja import NinjaAPI
from ninja.security import SessionAuth

from interlude.alerts.api import router as alerts_router
from interlude.care.api import router as care_router
from interlude.exercises.api_relaxation import router as relaxation_router
from interlude.exercises.api_worksheets import router as worksheets_router
from interlude.measures.api import router as measures_router
from interlude.practices.api import router as practices_router
from interlude.tracking.api import router as tracking_router

api = NinjaAPI(
    title="Interlude API",
    version="1",
    description="Between-session data for clients and their care teams. Every read of client "
    "data passes the access gate and is audited.",
    auth=SessionAuth(),
    urls_namespace="api",
)
api.add_router("", practices_router)
api.add_router("", tracking_router)
api.add_router("", worksheets_router)
api.add_router("", relaxation_router)
api.add_router("", care_router)
api.add_router("", measures_router)
api.add_router("", alerts_router)
