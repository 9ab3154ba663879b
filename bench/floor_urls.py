"""The app's URLs plus the floor (served without middleware by bench.floor.wsgi)."""

from django.urls import path

from bench.floor.views import floor
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench-floor/", floor, name="bench_floor"), *app_urlpatterns]
