"""Closing an account (SR-47): the client asks, the owner keeps what the practice must keep, the
rest is erased and the client's data key destroyed, and the audit trail keeps a pseudonymous stub.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.closure_services import (
    ALWAYS_ERASED,
    ALWAYS_KEPT,
    RECORD_TYPES,
    closure_confirm,
    closure_request,
)
from interlude.consents.models import ClosureRequest, ClosureStatus
from interlude.core.crypto import DataKeyDestroyed
from interlude.core.data_keys import cache_clear, decrypt_any
from interlude.core.errors import ApplicationError
from interlude.core.fields import EncryptedTextField, row_aad
from interlude.core.models import ClientDataKey
from interlude.practices.enums import Role
from interlude.practices.models import Client
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-06-01T09:00:00+00:00")
REASON = "Professional rule: clinical records are kept for 7 years after the last contact."


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _encrypted_client_models() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
        if names and any(f.attname == "client_id" for f in model._meta.concrete_fields):
            found.append((model, names))
    return found


def _seed(client: Client, owner, tag: str) -> dict[str, object]:
    """One row in every model with encrypted fields, each field holding a canary."""
    from interlude.alerts.models import Alert
    from interlude.care.models import Appointment, SafetyPlanVersion
    from interlude.consents.models import BreakGlassGrant
    from interlude.exercises.models import (
        ActivityPlan,
        ExposurePractice,
        ExposureStep,
        JournalEntry,
        SleepDiaryEntry,
        ThoughtRecord,
    )
    from interlude.measures.models import (
        QuestionnaireDraft,
        QuestionnaireDue,
        QuestionnaireResponse,
        QuestionnaireSchedule,
    )
    from interlude.tracking.models import CheckIn

    def c(name: str) -> str:
        return f"CANARY-{tag}-{name}"

    base = {
        "practice": client.practice,
        "client": client,
        "created_by": client.user,
        "updated_by": client.user,
    }
    step = ExposureStep.objects.create(**base, description=c("step"), suds_anticipated=40)
    schedule = QuestionnaireSchedule.objects.create(
        **base, instrument_code="phq9", frequency="once"
    )
    due = QuestionnaireDue.objects.create(
        **base,
        schedule=schedule,
        instrument_code="phq9",
        opens_at=T0,
        closes_at=T0 + timedelta(days=7),
    )
    response = QuestionnaireResponse.objects.create(
        **base,
        instrument_code="phq9",
        instrument_version="1",
        answers=[c("answers")],
        flags=[c("flags")],
        idempotency_key=f"r-{tag}",
        band_code="mild",
        band_label="Mild",
        complete=True,
        classification_reason="",
        track_reason="",
    )
    rows = {
        "BreakGlassGrant": BreakGlassGrant.objects.create(
            practice=client.practice,
            client=client,
            user=owner.user,
            reason=c("breakglass"),
            expires_at=T0 + timedelta(hours=1),
        ),
        "CheckIn": CheckIn.objects.create(
            **base,
            time_zone="UTC",
            mood=4,
            note=c("note"),
            idempotency_key=f"c-{tag}",
            source="import",
            original={"mood": c("original")},
        ),
        "ThoughtRecord": ThoughtRecord.objects.create(
            **base, content=c("thought"), idempotency_key=f"t-{tag}"
        ),
        "ActivityPlan": ActivityPlan.objects.create(
            **base, title=c("activity"), life_area="health", planned_for=date(2026, 6, 2)
        ),
        "ExposureStep": step,
        "ExposurePractice": ExposurePractice.objects.create(
            **base,
            step=step,
            duration_minutes=20,
            suds_pre=50,
            suds_peak=60,
            suds_post=30,
            safety_behaviours=c("safety"),
            notes=c("practice"),
        ),
        "SleepDiaryEntry": SleepDiaryEntry.objects.create(
            **base,
            night_of=date(2026, 5, 31),
            into_bed=time(23),
            tried_to_sleep=time(23, 15),
            minutes_to_fall_asleep=20,
            awakenings=1,
            minutes_awake_after_onset=10,
            final_awakening=time(6, 30),
            out_of_bed=time(7),
            quality=3,
            comments=c("sleep"),
        ),
        "JournalEntry": JournalEntry.objects.create(**base, title=c("title"), body=c("journal")),
        "SafetyPlanVersion": SafetyPlanVersion.objects.create(
            **base, version=1, content=c("plan"), change_note=""
        ),
        "QuestionnaireResponse": response,
        "QuestionnaireDraft": QuestionnaireDraft.objects.create(
            **base,
            due=due,
            instrument_code="phq9",
            answers=[c("draft")],
            idempotency_key=f"d-{tag}",
        ),
        "Alert": Alert.objects.create(
            **base,
            kind="critical_item",
            severity="critical",
            reason=c("alert"),
            dedupe_key=f"a-{tag}",
            instrument_code="phq9",
            response=response,
            acknowledge_note=c("ack"),
            resolve_note=c("resolve"),
            handover_note=c("handover"),
        ),
        "Appointment": Appointment.objects.create(
            **base, clinician=owner, starts_at=T0 + timedelta(days=3)
        ),
    }
    rows.update(_seed_between_sessions(client, owner, base, c))
    return rows


def _seed_between_sessions(client: Client, owner, base: dict, c) -> dict[str, object]:
    """Rows of [6]: the treatment plan, session notes, homework, messages and push devices."""
    from interlude.care.models import Goal, GoalReview, Problem, SessionNote, SessionNoteAddendum
    from interlude.catalog.models import (
        CatalogApp,
        ReadinessCheck,
        Recommendation,
        SuitabilityNote,
    )
    from interlude.homework.models import Assignment, AssignmentOccurrence
    from interlude.interop.models import ImportJob, StagedRecord
    from interlude.messaging.models import Message, MessageAttachment
    from interlude.reminders.models import PushSubscription

    problem = Problem.objects.create(**base, title=c("problem"), description=c("problem-text"))
    goal = Goal.objects.create(**base, problem=problem, description=c("goal"))
    note = SessionNote.objects.create(
        **base,
        template="soap",
        sections={"subjective": c("note")},
        session_date=date(2026, 6, 1),
        author=owner,
    )
    assignment = Assignment.objects.create(
        **base,
        tool_kind="custom",
        title=c("homework"),
        instructions=c("instructions"),
        schedule="once",
        starts_on=date(2026, 6, 1),
        due_on=date(2026, 6, 2),
        assigned_by=owner,
    )
    message = Message.objects.create(
        **base, sender=client.user, by="client", body=c("message"), idempotency_key=f"m-{c('')}"
    )
    job = ImportJob.objects.create(**base, source="daylio", file_name="daylio_export.csv")
    app, _ = CatalogApp.objects.get_or_create(
        practice=client.practice, slug="closure-app", defaults={"name": "Sleep Diary"}
    )
    return {
        "Recommendation": Recommendation.objects.create(
            **base, app=app, reason=c("recommended"), recommended_by=owner
        ),
        "ReadinessCheck": ReadinessCheck.objects.create(
            **base,
            status="submitted",
            answers={"privacy_note": c("readiness")},
            eheals_answers=[3] * 8,
            eheals_total=24,
        ),
        "SuitabilityNote": SuitabilityNote.objects.create(
            **base, text=c("suitability"), author=owner
        ),
        "ImportJob": job,
        "StagedRecord": StagedRecord.objects.create(
            job=job,
            practice=client.practice,
            client=client,
            seq=1,
            kind="checkins",
            natural_key="0" * 64,
            payload={"note": c("staged")},
        ),
        "Problem": problem,
        "Goal": goal,
        "GoalReview": GoalReview.objects.create(
            **base, goal=goal, reviewed_on=date(2026, 6, 1), score=0, note=c("gas")
        ),
        "SessionNote": note,
        "SessionNoteAddendum": SessionNoteAddendum.objects.create(
            **base, note=note, text=c("addendum"), author=owner
        ),
        "Assignment": assignment,
        "AssignmentOccurrence": AssignmentOccurrence.objects.create(
            **base,
            assignment=assignment,
            due_on=date(2026, 6, 2),
            status="not_possible",
            completed_at=T0,
            reason=c("reason"),
            feedback=c("feedback"),
        ),
        "Message": message,
        "MessageAttachment": MessageAttachment.objects.create(
            **base,
            message=message,
            filename=c("filename"),
            content_type="application/pdf",
            size=8,
            content=c("attachment").encode(),
        ),
        "PushSubscription": PushSubscription.objects.create(
            **base, subscription={"endpoint": c("push")}, endpoint_hash=c("hash")[:64]
        ),
    }


def _raw_values(model: type, fields: list[str], client_id: int) -> list[tuple]:
    """(public_id, practice_id, field, stored text) straight from the database column."""
    table = model._meta.db_table
    columns = ", ".join(model._meta.get_field(f).column for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT public_id, practice_id, {columns} FROM {table} WHERE client_id = %s",  # noqa: S608
            [client_id],
        )
        out = []
        for public_id, practice_id, *values in cursor.fetchall():
            for field, value in zip(fields, values, strict=True):
                if value is not None:
                    out.append((public_id, practice_id, field, value))
        return out


def _every_stored_text(*, skip: tuple[str, ...] = ()) -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            if table in skip:
                continue
            cols = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("TextField", "CharField", "JSONField", "EmailField")
            ]
            if not cols:
                continue
            cursor.execute(f"SELECT {', '.join(cols)} FROM {table}")  # noqa: S608
            chunks += [str(v) for row in cursor.fetchall() for v in row]
    return "\n".join(chunks)


@pytest.fixture
def world():
    clinician, client = clinician_with_client()
    practice = client.practice
    owner = MembershipFactory(
        practice=practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Olive Owner", email="olive@alder.example", mfa_exempt=True),
    )
    client.full_name = "Zephyrine Quill"
    client.preferred_name = "Zeph"
    client.email = "zephyrine@example.org"
    client.save()
    client.user.full_name = "Zephyrine Quill"
    client.user.email = "zephyrine@example.org"
    client.user.save()
    _, other = clinician_with_client(practice=practice)
    return {"clinician": clinician, "owner": owner, "client": client, "other": other}


def test_every_model_holding_client_rows_is_either_kept_or_erased_by_closure():
    from interlude.practices.models import Client as ClientModel

    covered = {m for t in RECORD_TYPES for m in t.models} | set(ALWAYS_ERASED) | set(ALWAYS_KEPT)
    holding = {
        model._meta.label
        for model in apps.get_models()
        if any(
            f.is_relation and f.related_model is ClientModel for f in model._meta.concrete_fields
        )
    }
    assert holding - covered == set(), "decide whether closure keeps or erases these"


def test_closure_shreds_every_encrypted_field_keeps_what_is_kept_and_spares_other_clients(world):
    client, other, owner = world["client"], world["other"], world["owner"]
    rows = _seed(client, owner, "closing")
    other_rows = _seed(other, owner, "other")
    seeded = {type(r)._meta.label for r in rows.values()}
    assert seeded >= {m._meta.label for m, _ in _encrypted_client_models()}
    before = {
        model._meta.label: _raw_values(model, fields, client.pk)
        for model, fields in _encrypted_client_models()
    }
    assert all(v.startswith("v2:") for vals in before.values() for *_, v in vals)
    key_id = ClientDataKey.objects.get(client=client).key_id
    closure, _ = closure_request(client=client, actor=client.user)

    with time_machine.travel(T0, tick=False):
        closure_confirm(
            closure=closure,
            actor=owner.user,
            membership=owner,
            kept=["questionnaires", "alerts", "appointments"],
            retention_reason=REASON,
        )
    cache_clear()

    # Every copy of an erased value (a backup, a dump taken before) is now unreadable.
    kept_labels = {"measures.QuestionnaireResponse", "alerts.Alert", "consents.BreakGlassGrant"}
    shredded = 0
    for label, values in before.items():
        model = apps.get_model(label)
        for public_id, practice_id, field, stored in values:
            meta = model._meta
            aad = f"{meta.app_label}.{meta.model_name}.{field}:{public_id}:{practice_id}"
            with pytest.raises(DataKeyDestroyed):
                decrypt_any(stored, aad=aad)
            shredded += 1
    assert shredded == 38
    # Erased rows are gone; kept ones are under the key ring and still read.
    for model, fields in _encrypted_client_models():
        remaining = _raw_values(model, fields, client.pk)
        if model._meta.label in kept_labels:
            assert remaining and all(v.startswith("v1:") for *_, v in remaining)
        else:
            assert remaining == [], model._meta.label
    alert = apps.get_model("alerts.Alert").objects.get(pk=rows["Alert"].pk)
    assert (alert.reason, alert.resolve_note) == ("CANARY-closing-alert", "CANARY-closing-resolve")
    assert alert.response_id == rows["QuestionnaireResponse"].pk
    response = apps.get_model("measures.QuestionnaireResponse").objects.get(
        pk=rows["QuestionnaireResponse"].pk
    )
    assert response.answers == ["CANARY-closing-answers"]
    assert apps.get_model("care.Appointment").objects.filter(client=client).count() == 1
    assert apps.get_model("tracking.CheckIn").objects.filter(client=client).count() == 0
    # No canary of the closed client is left in clear anywhere in the database.
    dump = _every_stored_text()
    assert "CANARY-closing" not in dump
    assert "Zephyrine" not in dump
    # Nothing holds the e-mail address the client signed in with, the audit trail included
    # (a client acting is written as "client <public id>").
    assert "zephyrine@example.org" not in _every_stored_text()
    # The other client is untouched.
    for name, row in other_rows.items():
        fresh = type(row).objects.get(pk=row.pk)
        for field in [f.name for f in type(row)._meta.get_fields()]:
            if isinstance(type(row)._meta.get_field(field), EncryptedTextField):
                value = getattr(fresh, field)
                if (name, field) == ("ReadinessCheck", "eheals_answers"):
                    assert value == [3] * 8  # numbers: no room for a canary, still readable
                    continue
                assert "CANARY-other" in str(value), (name, field)
    assert ClientDataKey.objects.get(client=other).destroyed_at is None
    # The key, the client and the login.
    data_key = ClientDataKey.objects.get(client=client)
    assert (data_key.key_id, data_key.wrapped, data_key.destroyed_at) == (key_id, "", T0)
    client.refresh_from_db()
    closure.refresh_from_db()
    assert closure.pseudonym.startswith("Closed account ")
    assert (client.full_name, client.preferred_name, client.email, client.status) == (
        closure.pseudonym,
        "",
        "",
        "discharged",
    )
    user = client.user
    assert user is not None
    assert (user.is_active, user.has_usable_password(), user.full_name) == (
        False,
        False,
        closure.pseudonym,
    )
    assert user.email.endswith("@closed.invalid")
    assert (closure.status, closure.kept, closure.retention_reason, closure.decided_at) == (
        ClosureStatus.CLOSED,
        ["questionnaires", "appointments", "alerts"],
        REASON,
        T0,
    )
    # The audit trail: a pseudonymous stub, and the key's destruction.
    events = list(AuditEvent.objects.filter(client=client).order_by("seq"))
    assert [e.action for e in events] == [
        AuditAction.CLOSURE_REQUESTED,
        AuditAction.CLOSURE_CONFIRMED,
        AuditAction.DATA_KEY_DESTROYED,
    ]
    assert events[1].detail == {
        "pseudonym": closure.pseudonym,
        "kept": ["questionnaires", "appointments", "alerts"],
    }
    assert (events[2].object_type, events[2].object_id) == ("data_key", key_id)
    assert events[1].client.full_name == closure.pseudonym


def test_keeping_nothing_erases_everything_but_the_consent_and_access_records(world):
    client, owner = world["client"], world["owner"]
    rows = _seed(client, owner, "all")
    closure, _ = closure_request(client=client, actor=client.user)

    closure_confirm(
        closure=closure, actor=owner.user, membership=owner, kept=[], retention_reason=""
    )

    for record_type in RECORD_TYPES:
        for label in record_type.models:
            assert not apps.get_model(label).objects.filter(client=client).exists(), label
    grant = apps.get_model("consents.BreakGlassGrant").objects.get(pk=rows["BreakGlassGrant"].pk)
    cache_clear()
    assert grant.reason == "CANARY-all-breakglass"
    stored = _raw_values(type(grant), ["reason"], client.pk)
    assert stored[0][3].startswith("v1:")
    assert decrypt_any(stored[0][3], aad=row_aad(grant, "reason")) == "CANARY-all-breakglass"


def test_keeping_records_needs_a_reason_and_only_the_owner_confirms_once(world):
    client, owner, clinician = world["client"], world["owner"], world["clinician"]
    closure, created = closure_request(client=client, actor=client.user)
    again, created_again = closure_request(client=client, actor=client.user)
    assert (created, created_again, again.pk) == (True, False, closure.pk)

    with pytest.raises(ApplicationError) as missing:
        closure_confirm(
            closure=closure,
            actor=owner.user,
            membership=owner,
            kept=["alerts"],
            retention_reason=" ",
        )
    assert missing.value.field == "retention_reason"
    with pytest.raises(ApplicationError):
        closure_confirm(
            closure=closure,
            actor=owner.user,
            membership=owner,
            kept=["passwords"],
            retention_reason=REASON,
        )
    with pytest.raises(ApplicationError):
        closure_confirm(
            closure=closure,
            actor=clinician.user,
            membership=clinician,
            kept=[],
            retention_reason="",
        )
    foreign_owner = MembershipFactory(role=Role.OWNER, user=UserFactory(mfa_exempt=True))
    with pytest.raises(ApplicationError):
        closure_confirm(
            closure=closure,
            actor=foreign_owner.user,
            membership=foreign_owner,
            kept=[],
            retention_reason="",
        )
    assert ClosureRequest.objects.get(pk=closure.pk).status == ClosureStatus.REQUESTED
    closure_confirm(
        closure=closure, actor=owner.user, membership=owner, kept=[], retention_reason=""
    )
    with pytest.raises(ApplicationError, match="already"):
        closure_confirm(
            closure=closure, actor=owner.user, membership=owner, kept=[], retention_reason=""
        )
    with pytest.raises(ApplicationError):
        closure_request(client=client, actor=owner.user)


def test_the_client_asks_from_me_and_asking_twice_makes_one_request(world):
    # Signed in, reading and asking on the same day, whatever instant the run started at.
    with time_machine.travel(T0, tick=False):
        client = world["client"]
        http = _as(client.user)

        me = http.get("/me/")
        assert 'href="/me/close-account/"' in me.content.decode()
        page = http.get("/me/close-account/")
        text = page.content.decode()
        assert page.status_code == 200
        assert "cannot be undone" in text
        assert "What the practice may have to keep" in text
        assert "Ask to close my account" in text

        with time_machine.travel(T0, tick=False):
            first = http.post("/me/close-account/")
            second = http.post("/me/close-account/")
            after = http.get("/me/close-account/").content.decode()

        assert (first.status_code, first["Location"]) == (302, "/me/close-account/")
        assert second.status_code == 302
        closure = ClosureRequest.objects.get(client=client)
        assert (closure.status, closure.requested_at, closure.requested_by) == (
            ClosureStatus.REQUESTED,
            T0,
            client.user,
        )
        assert list(AuditEvent.objects.filter(client=client).values_list("action", flat=True)) == [
            AuditAction.CLOSURE_REQUESTED
        ]
        assert "You asked to close your account on" in after
        assert "Ask to close my account" not in after


def test_the_owner_decides_on_a_page_and_the_closed_client_is_signed_out(world):
    client, owner = world["client"], world["owner"]
    _seed(client, owner, "page")
    client_http = _as(client.user)
    client_http.post("/me/close-account/")
    closure = ClosureRequest.objects.get(client=client)
    http = _as(owner.user)

    listing = http.get("/practice/closures/")
    assert listing.status_code == 200
    assert "Zephyrine Quill" in listing.content.decode()
    decide_url = f"/practice/closures/{closure.public_id}/"
    page = http.get(decide_url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="questionnaires"' in text
    assert 'Questionnaires <span class="muted">(1)</span>' in text

    refused = http.post(decide_url, {"kept": ["alerts"], "retention_reason": ""})
    assert refused.status_code == 422
    assert ClosureRequest.objects.get(pk=closure.pk).status == ClosureStatus.REQUESTED

    done = http.post(decide_url, {"kept": ["alerts"], "retention_reason": REASON, "confirm": "on"})

    assert (done.status_code, done["Location"]) == (302, "/practice/closures/")
    closure.refresh_from_db()
    assert (closure.status, closure.kept) == (ClosureStatus.CLOSED, ["alerts"])
    listing = http.get("/practice/closures/").content.decode()
    assert "Zephyrine" not in listing
    assert closure.pseudonym in listing
    assert REASON in listing
    # The client's session no longer works.
    assert client_http.get("/me/").status_code == 302


def test_closure_pages_are_404_for_anyone_but_the_owner(world):
    client = world["client"]
    closure, _ = closure_request(client=client, actor=client.user)
    admin = MembershipFactory(
        practice=client.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    foreign_owner = MembershipFactory(role=Role.OWNER, user=UserFactory(mfa_exempt=True))
    decide_url = f"/practice/closures/{closure.public_id}/"

    assert _as(admin.user).get("/practice/closures/").status_code == 404
    assert _as(admin.user).get(decide_url).status_code == 404
    assert _as(foreign_owner.user).get(decide_url).status_code == 404
    assert _as(world["clinician"].user).get("/practice/closures/").status_code in (403, 404)
    assert _as(client.user).get("/practice/closures/").status_code in (403, 404)


def test_the_owners_list_is_read_in_the_same_queries_whatever_its_length(world):
    owner = world["owner"]
    http = _as(owner.user)
    _, one = clinician_with_client(practice=owner.practice)
    closure_request(client=one, actor=one.user)
    http.get("/practice/closures/")  # the session's first request writes its own rows
    with CaptureQueriesContext(connection) as small:
        assert http.get("/practice/closures/").status_code == 200
    for _ in range(4):
        _, more = clinician_with_client(practice=owner.practice)
        closure_request(client=more, actor=more.user)
    with CaptureQueriesContext(connection) as large:
        assert http.get("/practice/closures/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_closing_on_the_page_deletes_a_waiting_export_file_and_report_pdf(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    from interlude.insights.models import ReportJob, ReportStatus
    from interlude.rights.models import ExportJob, ExportStatus

    client, owner = world["client"], world["owner"]
    settings.EXPORTS_DIR = tmp_path
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.REPORTS_DIR.mkdir()
    name = "0123456789abcdef0123456789abcdef.zip"
    (tmp_path / name).write_bytes(b"zip of the client")
    ExportJob.objects.create(
        practice=client.practice,
        client=client,
        requested_by=client.user,
        status=ExportStatus.READY,
        file_name=name,
    )
    pdf = settings.REPORTS_DIR / "fedcba9876543210fedcba9876543210-1.pdf"
    pdf.write_bytes(b"%PDF- report of the client")
    ReportJob.objects.create(
        practice=client.practice,
        client=client,
        requested_by=world["clinician"].user,
        viewer="care_team",
        date_from=date(2026, 1, 1),
        date_to=date(2026, 3, 1),
        status=ReportStatus.READY,
        file_name=pdf.name,
    )
    _as(client.user).post("/me/close-account/")
    closure = ClosureRequest.objects.get(client=client)
    url = f"/practice/closures/{closure.public_id}/"
    http = _as(owner.user)

    # Refused (a kept type without a reason): the file stays.
    with django_capture_on_commit_callbacks(execute=True):
        http.post(url, {"kept": ["alerts"], "retention_reason": "", "confirm": "on"})
    assert (tmp_path / name).exists()
    assert pdf.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = http.post(url, {"kept": [], "retention_reason": "", "confirm": "on"})

    assert done.status_code == 302
    assert not (tmp_path / name).exists()
    assert not pdf.exists()
    assert not ReportJob.objects.filter(client=client).exists()


def test_closure_removes_the_sign_in_limiters_records_of_the_login_name(world):
    from axes.models import AccessAttempt, AccessLog

    client, owner = world["client"], world["owner"]
    email = client.user.email
    AccessLog.objects.create(username=email.upper(), ip_address="203.0.113.5", user_agent="Phone")
    AccessAttempt.objects.create(
        username=email, ip_address="203.0.113.5", user_agent="Phone", failures_since_start=1
    )
    AccessLog.objects.create(username="someone@else.example", ip_address="203.0.113.6")
    _as(client.user).post("/me/close-account/")
    closure = ClosureRequest.objects.get(client=client)

    _as(owner.user).post(
        f"/practice/closures/{closure.public_id}/",
        {"kept": [], "retention_reason": "", "confirm": "on"},
    )

    names = set(AccessLog.objects.values_list("username", flat=True))
    assert "someone@else.example" in names
    assert not {n.lower() for n in names if n} & {email.lower()}
    assert not AccessAttempt.objects.filter(username__iexact=email).exists()
