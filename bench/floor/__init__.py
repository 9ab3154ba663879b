"""The floor for the HTTP benchmarks: a bare Django view that inserts one row and answers JSON.

Served by the same gunicorn command and settings as the real app (bench/floor_settings.py layers
it on config.settings.base), but without the app's middleware: `bench.floor.wsgi` hands
`/bench-floor/` to a Django handler with an empty middleware list and everything else to the real
one. So the floor is what Django, gunicorn, the database driver and one INSERT cost on this
machine at this moment, and a real request's ratio to it is what the application adds.
"""
