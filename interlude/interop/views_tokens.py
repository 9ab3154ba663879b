"""The client's "Apps and devices" page: their access tokens, making one (shown once) and
revoking one. Staff never have tokens: these pages answer them 404."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from interlude.consents.access import access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.interop.enums import TokenScope
from interlude.interop.models import AccessToken
from interlude.interop.tokens import (
    token_create,
    token_is_active,
    token_revoke,
    token_user_is_staff,
    tokens_for_user,
)
from interlude.practices.models import Client

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "One year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=60,
        help_text="So you can tell your tokens apart, like \u201cMy watch\u201d.",
        error_messages={
            "required": "Give the token a name, like \u201cMy watch\u201d.",
            "max_length": "Use at most 60 characters for the name.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What the app or device may do",
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the app or device may do."},
    )
    days = forms.TypedChoiceField(
        label="How long it works",
        choices=EXPIRY_CHOICES,
        coerce=int,
        initial="90",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long the token works."},
    )


def _own_client(request: InterludeRequest) -> Client:
    if token_user_is_staff(user=request.user):
        raise Http404
    return access_own_client(user=request.user)


def _scope_words(token: AccessToken) -> list[str]:
    labels = dict(TokenScope.choices)
    return [str(labels[s]) for s in token.scopes if s in labels]


def _page(
    request: InterludeRequest,
    client: Client,
    form: TokenForm,
    *,
    created: AccessToken | None = None,
    raw: str | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    rows = [
        {"token": t, "scopes": _scope_words(t), "active": token_is_active(token=t, now=now)}
        for t in tokens_for_user(user=request.user)
    ]
    return render(
        request,
        "interop/tokens.html",
        {
            "client": client,
            "form": form,
            "rows": rows,
            "created": created,
            "raw_token": raw,
            "api_url": request.build_absolute_uri("/api/v1/observations"),
            "nav": "me",
        },
        status=status,
    )


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def tokens(request: InterludeRequest) -> HttpResponse:
    client = _own_client(request)
    if request.method != "POST":
        return _page(request, client, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        now = timezone.now()
        try:
            token, raw = token_create(
                user=request.user,
                client=client,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=now + timedelta(days=form.cleaned_data["days"]),
                now=now,
            )
        except ApplicationError as exc:
            field = {"expires_at": "days"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            # Shown on this answer only (never stored, never in a redirect or a message).
            return _page(request, client, TokenForm(), created=token, raw=raw)
    return _page(request, client, form, status=422)


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: InterludeRequest, token_id: uuid.UUID) -> HttpResponse:
    client = _own_client(request)
    token = next((t for t in tokens_for_user(user=request.user) if t.public_id == token_id), None)
    if token is None or not token_is_active(token=token):
        raise Http404
    if request.method == "POST":
        token_revoke(user=request.user, token_id=token.public_id)
        messages.success(request, f"\u201c{token.name}\u201d is revoked. It no longer works.")
        return redirect("client_tokens")
    return render(
        request,
        "interop/tokens_revoke.html",
        {"client": client, "token": token, "scopes": _scope_words(token), "nav": "me"},
    )
