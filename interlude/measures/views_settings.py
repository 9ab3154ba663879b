"""Practice settings for measurement-based care (owners and practice admins).

Every questionnaire with its current numbers and where they come from; per questionnaire the
reliable-change threshold (points, or computed from local norms), the clinical cutoff and the band
set; the practice-wide not-on-track rule; and the practice's own Likert-style questionnaires.
The services check the numbers and write the audit events; these views only show and route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.measures.change import jt_threshold_points, jt_whole_points
from interlude.measures.forms_settings import (
    InstrumentSettingForm,
    MeasuresRulesForm,
    PracticeInstrumentForm,
    band_preset_label,
)
from interlude.measures.instruments import (
    Band,
    InstrumentDefinition,
    Licence,
)
from interlude.measures.models import InstrumentSetting
from interlude.measures.selectors import (
    instrument_definitions,
    instrument_definitions_unconfigured,
    measures_settings_get,
)
from interlude.measures.services import (
    instrument_setting_save,
    measures_settings_save,
    practice_instrument_create,
)
from interlude.practices.models import Practice

LICENCE_LABELS = {
    Licence.PUBLIC_DOMAIN: "Public domain",
    Licence.FREE_WITH_ATTRIBUTION: "Free to use with attribution",
    Licence.CC_BY_NC_ND: "CC BY-NC-ND: no changes, not for commercial use",
    Licence.LICENCE_REQUIRED: "Licence required",
    Licence.PRACTICE_OWN: "Your practice's own",
}
PRACTICE_SETTING = "practice setting"  # the source with_overrides writes for a practice's choice


@dataclass(frozen=True)
class InstrumentRow:
    """One questionnaire as the practice uses it, next to how it was shipped."""

    definition: InstrumentDefinition  # with the practice's settings applied
    default: InstrumentDefinition  # as shipped (or as the practice first entered it)
    setting: InstrumentSetting | None

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def licence_label(self) -> str:
        return LICENCE_LABELS.get(self.definition.licence, str(self.definition.licence))

    @property
    def rc_changed(self) -> bool:
        return self.definition.reliable_change_source == PRACTICE_SETTING

    @property
    def rc_from_norms(self) -> bool:
        s = self.setting
        return bool(
            s and s.reliable_change is None and s.norm_sd and s.norm_reliability is not None
        )

    @property
    def cutoff_changed(self) -> bool:
        return self.definition.clinical_range_source == PRACTICE_SETTING

    @property
    def bands_changed(self) -> bool:
        return self.definition.band_preset != self.default.band_preset

    @property
    def changed(self) -> bool:
        return self.rc_changed or self.cutoff_changed or self.bands_changed

    @property
    def band_set_label(self) -> str:
        if self.definition.band_preset:
            return band_preset_label(self.definition.band_preset)
        return "Published bands"

    @property
    def band_sets(self) -> list[tuple[str, str]]:
        """Every band set the practice can choose: (name, its bands in words)."""
        return [
            (band_preset_label(code), _bands_text(bands))
            for code, bands in self.definition.band_presets.items()
        ]

    @property
    def band_summary(self) -> str:
        return _bands_text(self.definition.bands)


def _bands_text(bands: tuple[Band, ...]) -> str:
    return "; ".join(f"{b.min:g}\u2013{b.max:g} {b.label}" for b in bands)


@dataclass(frozen=True)
class JacobsonTruax:
    """The Jacobson-Truax threshold worked out from local norms, each step shown."""

    sd: float
    reliability: float
    se: float
    s_diff: float
    exact: float
    points: int  # the smallest whole change counted as reliable (|change| > exact)


def jacobson_truax(sd: float | None, reliability: float | None) -> JacobsonTruax | None:
    if sd is None or reliability is None or sd <= 0 or not 0 <= reliability < 1:
        return None
    exact = jt_threshold_points(sd_pre=sd, reliability=reliability)
    se = sd * math.sqrt(1 - reliability)
    # The same rounding as the selectors apply: the first whole change above 1.96 x S_diff.
    return JacobsonTruax(
        sd=sd,
        reliability=reliability,
        se=se,
        s_diff=math.sqrt(2) * se,
        exact=exact,
        points=jt_whole_points(exact),
    )


def _instrument_rows(practice: Practice) -> list[InstrumentRow]:
    current = instrument_definitions(practice=practice)
    defaults = instrument_definitions_unconfigured(practice=practice)
    settings = {s.instrument_code: s for s in InstrumentSetting.objects.filter(practice=practice)}
    return [
        InstrumentRow(definition=d, default=defaults[code], setting=settings.get(code))
        for code, d in current.items()
        if code in defaults
    ]


def _row_or_404(practice: Practice, code: str) -> InstrumentRow:
    for row in _instrument_rows(practice):
        if row.code == code:
            return row
    raise Http404


def _add_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _index(
    request: StaffRequest, *, rules_form: MeasuresRulesForm | None = None, status: int = 200
) -> HttpResponse:
    practice = request.practice
    settings = measures_settings_get(practice=practice)
    rules_form = rules_form or MeasuresRulesForm(
        initial={
            "at_risk_after": settings.at_risk_after,
            "default_window_days": settings.default_window_days,
        }
    )
    rows = _instrument_rows(practice)
    return render(
        request,
        "measures/settings/index.html",
        {
            "rows": rows,
            "own_rows": [r for r in rows if r.definition.practice_own],
            "rules_form": rules_form,
            "rules": settings,
            "nav": "practice",
        },
        status=status,
    )


@access(Access.PRACTICE_ADMIN)
def measures_settings(request: StaffRequest) -> HttpResponse:
    return _index(request)


@access(Access.PRACTICE_ADMIN)
@require_POST
def measures_rules_save(request: StaffRequest) -> HttpResponse:
    form = MeasuresRulesForm(request.POST)
    if form.is_valid():
        try:
            measures_settings_save(
                actor=request.user,
                practice=request.practice,
                at_risk_after=form.cleaned_data["at_risk_after"],
                default_window_days=form.cleaned_data["default_window_days"],
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request,
                f"Saved. Clients are marked at risk after {form.cleaned_data['at_risk_after']} "
                "answers without reliable improvement; questionnaires stay open "
                f"{form.cleaned_data['default_window_days']} days unless the clinician says "
                "otherwise.",
            )
            return redirect("measures_settings")
    return _index(request, rules_form=form, status=400)


@access(Access.PRACTICE_ADMIN)
def instrument_setting_edit(request: StaffRequest, code: str) -> HttpResponse:
    row = _row_or_404(request.practice, code)
    setting = row.setting
    action = request.POST.get("action", "save")
    if request.method == "POST" and action == "reset":
        instrument_setting_save(
            actor=request.user,
            practice=request.practice,
            instrument_code=row.code,
            reliable_change=None,
            clinical_cutoff=None,
            band_preset="",
        )
        messages.success(request, f"{row.definition.short_name} is back to its default numbers.")
        return redirect("measures_settings")
    initial: dict[str, Any] = {}
    if setting is not None:
        initial = {
            "reliable_change": setting.reliable_change,
            "norm_sd": setting.norm_sd,
            "norm_reliability": setting.norm_reliability,
            "clinical_cutoff": setting.clinical_cutoff,
            "band_preset": setting.band_preset,
        }
    form = InstrumentSettingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        definition=row.definition,
        default=row.default,
    )
    preview = jacobson_truax(
        setting.norm_sd if setting else None, setting.norm_reliability if setting else None
    )
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        data = form.cleaned_data if valid else {}
        if action == "preview":
            preview = jacobson_truax(data.get("norm_sd"), data.get("norm_reliability"))
            if request.htmx:
                return render(
                    request,
                    "measures/settings/instrument.html#jt_preview",
                    {"preview": preview, "row": row, "asked": True},
                )
        elif valid:
            try:
                instrument_setting_save(
                    actor=request.user,
                    practice=request.practice,
                    instrument_code=row.code,
                    reliable_change=data.get("reliable_change"),
                    clinical_cutoff=data.get("clinical_cutoff"),
                    band_preset=data.get("band_preset") or "",
                    norm_sd=data.get("norm_sd"),
                    norm_reliability=data.get("norm_reliability"),
                )
            except ApplicationError as exc:
                _add_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Saved the {row.definition.short_name} settings. They apply to answers from "
                    "now on; earlier scores keep the numbers they were scored with.",
                )
                return redirect("measures_settings")
        if form.errors:
            status = 400
    return render(
        request,
        "measures/settings/instrument.html",
        {
            "row": row,
            "form": form,
            "preview": preview,
            "asked": request.method == "POST" and action == "preview",
            "preview_url": reverse("instrument_setting_edit", args=[row.code]),
            "nav": "practice",
        },
        status=status,
    )


@access(Access.PRACTICE_ADMIN)
def practice_instrument_add(request: StaffRequest) -> HttpResponse:
    form = PracticeInstrumentForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                own = practice_instrument_create(
                    actor=request.user, practice=request.practice, document=form.document()
                )
            except ApplicationError as exc:
                code = form.cleaned_data["code"]
                field = "code" if f"{code!r}" in exc.message else None
                form.add_error(field, exc.message)
            else:
                messages.success(
                    request,
                    f"Added {form.cleaned_data['name']} ({own.code}). Clinicians can schedule it "
                    "now.",
                )
                return redirect("measures_settings")
        status = 400
    return render(
        request,
        "measures/settings/instrument_add.html",
        {"form": form, "nav": "practice"},
        status=status,
    )
