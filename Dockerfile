# One image for every Interlude role (compose.yaml: web, worker, clock, migrate). Kept simple:
# Debian's Python image, WeasyPrint's system libraries, and `make install` from the hashed lock.
FROM python:3.13-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends make libpango-1.0-0 libpangoft2-1.0-0 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /srv/interlude interlude

WORKDIR /srv/interlude/app
COPY --chown=interlude:interlude . .
USER interlude
RUN make install \
 # Static files are collected into the image (WhiteNoise serves them), under production settings
 # with throw-away secrets that exist only for this command.
 && key() { .venv/bin/python -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'; } \
 && INTERLUDE_ENV=production SECRET_KEY="$(key)$(key)" INTERLUDE_ENCRYPTION_KEYS="1:$(key)" \
    AUDIT_HMAC_KEYS="1:$(key)" DATABASE_URL=postgres://build@localhost/build \
    ALLOWED_HOSTS=build EMAIL_URL=smtp://localhost:25 \
    .venv/bin/python manage.py collectstatic --noinput -v 0

ENV PATH=/srv/interlude/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["python", "manage.py", "serve", "--role", "web"]
