#!/usr/bin/env bash
# The security checks (`make security`; CI runs them too):
#   bandit      static analysis of interlude/ and config/ (settings in pyproject.toml [tool.bandit]);
#               any finding fails. A false positive is marked on its line: `# nosec BXXX` + why.
#   deploy      `manage.py check --deploy --fail-level WARNING` with production settings (made-up
#               secrets, never real ones); any warning fails.
#   deps        pip-audit over both lock files: a known vulnerability fails; when the vulnerability
#               database cannot be reached it says so plainly and carries on (never "no known
#               vulnerabilities" without having looked). PIP_AUDIT_REQUIRED=1 makes that a failure.
# With no argument all three run; name some to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

run_bandit() {
  echo "--- bandit"
  # -q: only findings; the exit code is non-zero on any finding. bandit also warns about each
  # line of a multi-line statement that carries a `# nosec` (noise, not findings): filtered out.
  .venv/bin/bandit -c pyproject.toml -r interlude config -q 2> >(grep -v 'nosec encountered' >&2)
  echo "bandit: no findings"
}

run_deploy() {
  echo "--- manage.py check --deploy (production settings)"
  local data
  data="$(mktemp -d)"
  # A subshell, so the made-up production environment ends with it.
  (
    key() { "$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
    export INTERLUDE_ENV=production
    export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
    export INTERLUDE_ENCRYPTION_KEYS="1:$(key)"
    export AUDIT_HMAC_KEYS="1:$(key)"
    export ALLOWED_HOSTS=interlude.example
    export CSRF_TRUSTED_ORIGINS=https://interlude.example
    export SITE_URL=https://interlude.example
    # Parsed only: the deploy checks do not connect to the database or the mail server.
    export DATABASE_URL=postgres://interlude@127.0.0.1:5432/interlude_deploy_check
    export EMAIL_URL=smtp://interlude:not-a-real-password@mail.interlude.example:587
    export INTERLUDE_DATA_DIR="$data"
    unset DJANGO_DEBUG SECURE_SSL_REDIRECT REDIS_URL
    "$PY" manage.py check --deploy --fail-level WARNING
  ) || { rm -rf "$data"; return 1; }
  rm -rf "$data"
}

run_deps() {
  echo "--- pip-audit"
  local flags=()
  [[ "${PIP_AUDIT_REQUIRED:-}" == 1 ]] && flags+=(--require-database)
  "$PY" scripts/pip_audit_report.py "${flags[@]}" requirements.lock requirements-dev.lock
}

checks=("$@")
[[ ${#checks[@]} -eq 0 ]] && checks=(bandit deploy deps)
for check in "${checks[@]}"; do
  case "$check" in
    bandit) run_bandit ;;
    deploy) run_deploy ;;
    deps) run_deps ;;
    *) echo "unknown check: $check (bandit, deploy, deps)" >&2; exit 2 ;;
  esac
done
