from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import password_validation

from interlude.practices.enums import Role

COUNTRIES: list[tuple[str, str]] = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("DE", "Germany"),
    ("NL", "Netherlands"),
]
COUNTRY_NAMES = dict(COUNTRIES)


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [(z, z.replace("_", " ")) for z in zones]


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
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[],
        help_text="Reminders and check-in times use the client's own time zone.",
    )
    country = forms.ChoiceField(
        label="Country",
        choices=COUNTRIES,
        help_text="Decides which crisis lines the client sees.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]


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
