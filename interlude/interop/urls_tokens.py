"""The client's access tokens for apps and devices. Only a token's random id is in a path."""

from django.urls import path

from interlude.interop import views_tokens

urlpatterns = [
    path("me/apps/", views_tokens.tokens, name="client_tokens"),
    path(
        "me/apps/<uuid:token_id>/revoke/",
        views_tokens.token_revoke_view,
        name="client_token_revoke",
    ),
]
