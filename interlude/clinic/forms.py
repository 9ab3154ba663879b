from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from interlude.practices.enums import Role
from interlude.practices.timezones import (
    COUNTRIES,
    COUNTRY_ZONES,
    time_zone_options,
    time_zone_parse,
)

# For static/js/timezone.js: which zones to move to the top when the country changes.
_LIKELY_ZONES_JSON = json.dumps(
    {country: [list(z) for z in zones] for country, zones in COUNTRY_ZONES.items()},
    ensure_ascii=False,
)


class TimeZoneInput(forms.TextInput):
    """A search box over every zone (`<input list>` + `<datalist>`), the country's zones first.

    Works without JavaScript: the browser filters the list as you type, and the server checks
    what comes back. static/js/timezone.js only reorders the list when the country changes and
    offers this device's zone.
    """

    def __init__(self, *, country: str | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false"})
        self.country = country

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id') or name}_list"
        attrs = {**(attrs or {}), "list": list_id, "data-likely-zones": _LIKELY_ZONES_JSON}
        options = format_html_join(
            "",
            '<option value="{}"{}>',
            (
                (zone, format_html(' label="{}"', label) if label else "")
                for zone, label in time_zone_options(self.country)
            ),
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class TimeZoneField(forms.CharField):
    """A zone from zoneinfo, typed or picked; "europe/london" or "Berlin" are understood."""

    default_error_messages = {
        "required": "Enter the client's time zone, for example Europe/London.",
        "invalid": (
            "“%(value)s” is not a time zone we know. Start typing a city, such as London or "
            "New York, and pick the zone from the list."
        ),
    }

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        zone = time_zone_parse(text)
        if zone is None:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": text[:64]}
            )
        return zone


class ClientCreateForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        # Say which field and how to fix it (DESIGN.md, "The screens"), as client_create does.
        error_messages={"required": "Enter the client's full name."},
    )
    preferred_name = forms.CharField(
        label="Preferred name (optional)",
        max_length=100,
        required=False,
        help_text="What they like to be called. We use it on their screens.",
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="We send the invitation here. You can also invite them later.",
    )
    country = forms.ChoiceField(
        label="Country",
        choices=COUNTRIES,
        help_text="Decides which crisis lines the client sees.",
    )
    time_zone = TimeZoneField(
        label="Time zone",
        max_length=64,
        help_text=(
            "Reminders and check-in times use the client's own time zone. Start typing a city "
            "to search; the zones of their country come first."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The country chosen (or the practice's, at first) decides which zones come first.
        country = self.data.get("country") if self.is_bound else self.initial.get("country")
        self.fields["time_zone"].widget = TimeZoneInput(country=country)


class ClientInviteForm(forms.Form):
    email = forms.EmailField(label="Email address")


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(
        label="Role",
        choices=[
            (Role.CLINICIAN.value, "Clinician: sees clients on their care teams"),
            (Role.ADMIN.value, "Practice admin: people and settings, no client records"),
            (Role.OWNER.value, "Owner: everything a clinician and an admin can do"),
        ],
        widget=forms.RadioSelect,
        initial=Role.CLINICIAN.value,
    )


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few random words make a strong, memorable password.",
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords are different. Type the same one twice.")
        if p1:
            from interlude.accounts.models import User

            try:
                password_validation.validate_password(
                    p1, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class CrisisResourceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    sms = forms.CharField(label="Text (SMS) number", max_length=40, required=False)
    url = forms.URLField(label="Website", required=False, assume_scheme="https")
    description = forms.CharField(label="What it is for", max_length=300, required=False)
    hours = forms.CharField(label="Hours", max_length=100, required=False)
    verified_today = forms.BooleanField(
        label="I checked today that these details are correct", required=False
    )
