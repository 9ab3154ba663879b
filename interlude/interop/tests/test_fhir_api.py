"""The FHIR R4 read API: scoping by the gate and sharing, search parameters, errors, audit."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.interop.enums import TokenScope
from interlude.interop.tests.fhir_seed import NOW, seed, share
from interlude.interop.tokens import token_create
from interlude.practices.enums import Role, ShareScope
from interlude.tracking.models import ObservationKind, ObservationSource
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
FHIR = "/fhir/R4"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _bundle(response) -> Bundle:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    return Bundle.model_validate_json(response.content)


def _types(bundle: Bundle) -> Counter[str]:
    return Counter(e.resource.get_resource_type() for e in bundle.entry or [])


def _outcome(response, status: int) -> OperationOutcome:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    return OperationOutcome.model_validate_json(response.content)


def _codes(bundle: Bundle) -> list[str]:
    return [e.resource.code.coding[0].code for e in bundle.entry or []]


# --- metadata ---------------------------------------------------------------------------------
def test_metadata_is_a_valid_capability_statement_without_signing_in(client):
    response = client.get(f"{FHIR}/metadata")
    assert response.status_code == 200
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == "4.3.0"
    rest = statement.rest[0]
    assert [r.type for r in rest.resource] == [
        "Patient",
        "Observation",
        "Questionnaire",
        "QuestionnaireResponse",
    ]
    observation = rest.resource[1]
    assert [p.name for p in observation.searchParam] == ["patient", "subject", "code", "date"]
    assert rest.resource[0].operation[0].name == "everything"
    assert "json" in statement.format


# --- $everything ------------------------------------------------------------------------------
def test_everything_for_the_care_team_has_exactly_the_record_and_is_audited(client):
    s = seed()
    other = seed()  # another client of another clinician
    client.force_login(s.membership.user)
    before = AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).count()
    bundle = _bundle(client.get(f"{FHIR}/Patient/{s.client.public_id}/$everything"))
    assert bundle.type == "searchset"
    # check-in 1: mood, anxiety, energy, sleep; check-in 2: mood; imported steps; PHQ-9 total
    assert _types(bundle) == Counter(
        {
            "Patient": 1,
            "Observation": 7,
            "Questionnaire": 1,
            "QuestionnaireResponse": 1,
            "Consent": 1,
            "CarePlan": 1,
            "Goal": 2,
            "Communication": 2,
        }
    )
    assert bundle.total == 16
    text = bundle.model_dump_json()
    assert str(other.client.public_id) not in text
    assert str(s.client.pk) not in [e.resource.id for e in bundle.entry]
    events = AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert events.count() == before + 1
    assert events.order_by("-pk").first().client_id == s.client.pk
    messages = [
        e.resource for e in bundle.entry if e.resource.get_resource_type() == "Communication"
    ]
    assert [m.payload[0].contentString for m in messages] == [
        "Slept badly",
        "Thanks for telling me",
    ]


def test_everything_entries_each_validate_as_their_own_resource(client):
    s = seed()
    client.force_login(s.membership.user)
    bundle = _bundle(client.get(f"{FHIR}/Patient/{s.client.public_id}/$everything"))
    for entry in bundle.entry:
        model = type(entry.resource)
        again = model.model_validate_json(entry.resource.model_dump_json())
        assert again.id == entry.resource.id
        assert entry.fullUrl == (
            f"http://testserver/fhir/R4/{entry.resource.get_resource_type()}/{entry.resource.id}"
        )


def test_questionnaires_not_shared_hide_answers_and_scores_from_the_clinician_not_the_client(
    client,
):
    s = seed()
    share(s.client, ShareScope.MEASURES, False)
    client.force_login(s.membership.user)
    staff = _types(_bundle(client.get(f"{FHIR}/Patient/{s.client.public_id}/$everything")))
    assert staff["QuestionnaireResponse"] == 0
    assert staff["Observation"] == 6  # the PHQ-9 total is gone
    assert staff["Questionnaire"] == 0
    client.force_login(s.client.user)
    own = _types(_bundle(client.get(f"{FHIR}/Patient/{s.client.public_id}/$everything")))
    assert own["QuestionnaireResponse"] == 1
    assert own["Observation"] == 7


def test_imported_points_need_imported_app_data_shared(client):
    s = seed()
    client.force_login(s.membership.user)
    url = f"{FHIR}/Observation?patient={s.client.public_id}&code=http://loinc.org|55423-8"
    shared = _bundle(client.get(url))
    assert [e.resource.valueQuantity.value for e in shared.entry] == [8042.0]
    tags = {t.code for t in shared.entry[0].resource.meta.tag}
    assert tags == {"import"}
    share(s.client, ShareScope.IMPORTS, False)
    assert _bundle(client.get(url)).total == 0
    # the check-ins still show
    assert _bundle(client.get(f"{FHIR}/Observation?patient={s.client.public_id}")).total == 6


def test_checkins_not_shared_leave_imported_points_and_scores(client):
    s = seed()
    share(s.client, ShareScope.CHECKINS, False)
    client.force_login(s.membership.user)
    bundle = _bundle(client.get(f"{FHIR}/Observation?patient={s.client.public_id}"))
    assert _codes(bundle) == ["55423-8", "44261-6"]


# --- Observation search -----------------------------------------------------------------------
def test_observation_search_by_code_with_and_without_system(client):
    s = seed()
    client.force_login(s.membership.user)
    base = f"{FHIR}/Observation?patient={s.client.public_id}"
    mood = _bundle(client.get(f"{base}&code=mood"))
    assert [e.resource.valueQuantity.value for e in mood.entry] == [4.0, 7.0]
    sleep = _bundle(client.get(f"{base}&code=http://loinc.org|93832-4"))
    assert [
        (e.resource.valueQuantity.value, e.resource.valueQuantity.unit) for e in sleep.entry
    ] == [(7.5, "h")]
    phq = _bundle(client.get(f"{base}&code=http://loinc.org|44261-6"))
    score = phq.entry[0].resource
    assert score.valueQuantity.value == 10.0
    assert score.valueQuantity.code == "{score}"
    assert score.interpretation[0].text == "Moderate"
    assert score.derivedFrom[0].reference == f"QuestionnaireResponse/{s.phq9.public_id}"
    assert [c.code for c in score.category[0].coding] == ["survey"]
    either = _bundle(client.get(f"{base}&code=mood,http://loinc.org|44261-6"))
    assert _codes(either) == ["mood", "mood", "44261-6"]
    assert _bundle(client.get(f"{base}&code=http://loinc.org|mood")).total == 0


def test_observation_search_by_date_prefixes(client):
    s = seed()
    client.force_login(s.membership.user)
    base = f"{FHIR}/Observation?patient={s.client.public_id}&code=mood"

    def values(query: str) -> list[float]:
        return [
            e.resource.valueQuantity.value for e in _bundle(client.get(base + query)).entry or []
        ]

    assert values("&date=2026-03-01") == [4.0]
    assert values("&date=eq2026-03-10") == [7.0]
    assert values("&date=ge2026-03-02") == [7.0]
    assert values("&date=gt2026-03-01") == [7.0]
    assert values("&date=le2026-03-01") == [4.0]
    assert values("&date=lt2026-03-10") == [4.0]
    assert values("&date=ge2026-03-01&date=lt2026-03-11") == [4.0, 7.0]
    assert values("&date=2026-02") == []
    assert values("&date=2026") == [4.0, 7.0]
    assert values("&date=ge2026-03-10T09:00:00Z") == [7.0]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("&date=yesterday", "date"),
        ("&date=ge2026-13-01", "date"),
        ("&colour=blue", "colour"),
        ("&code=", "code"),
        ("&patient=42", "patient"),
    ],
)
def test_a_bad_search_parameter_is_a_400_naming_it(client, query, parameter):
    s = seed()
    client.force_login(s.membership.user)
    url = f"{FHIR}/Observation?code=mood{query}"
    if parameter != "patient":
        url += f"&patient={s.client.public_id}"
    outcome = _outcome(client.get(url), 400)
    assert outcome.issue[0].code == "invalid"
    assert outcome.issue[0].expression == [parameter]


def test_the_care_team_must_name_the_patient(client):
    s = seed()
    client.force_login(s.membership.user)
    outcome = _outcome(client.get(f"{FHIR}/Observation"), 400)
    assert outcome.issue[0].expression == ["patient"]


def test_observation_search_queries_stay_constant_as_data_grows(client):
    s = seed()
    client.force_login(s.membership.user)
    url = f"{FHIR}/Observation?patient={s.client.public_id}"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert _bundle(client.get(url)).total == 7
    for day in range(20):
        checkin_create(
            client=s.client,
            actor=s.client.user,
            values=CheckInValues(mood=5, anxiety=3),
            idempotency_key=f"more-{day}",
            recorded_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC) + timedelta(days=day),
        )
    with CaptureQueriesContext(connection) as large:
        assert _bundle(client.get(url)).total == 47
    assert len(large) == len(small)


def test_observation_read_by_id_and_score_id(client):
    s = seed()
    client.force_login(s.membership.user)
    bundle = _bundle(client.get(f"{FHIR}/Observation?patient={s.client.public_id}&code=mood"))
    first = bundle.entry[0].resource
    assert first.id.startswith("obs-") and len(first.id) == 36
    response = client.get(f"{FHIR}/Observation/{first.id}")
    assert response.status_code == 200
    read = FhirObservation.model_validate_json(response.content)
    assert read.valueQuantity.value == 4.0
    score = client.get(f"{FHIR}/Observation/score-{s.phq9.public_id}")
    assert FhirObservation.model_validate_json(score.content).valueQuantity.value == 10.0
    assert client.get(f"{FHIR}/Observation/obs-{'0' * 32}").status_code == 404
    assert client.get(f"{FHIR}/Observation/1").status_code == 404


# --- Patient ----------------------------------------------------------------------------------
def test_patient_read_and_search_for_a_clinician(client):
    s = seed()
    second = ClientFactory(practice=s.client.practice, user=UserFactory())
    CareTeamMemberFactory(client=second, membership=s.membership)
    ClientFactory(practice=s.client.practice, user=UserFactory())  # not on the care team
    client.force_login(s.membership.user)
    patient = Patient.model_validate_json(
        client.get(f"{FHIR}/Patient/{s.client.public_id}").content
    )
    assert patient.id == str(s.client.public_id)
    assert patient.name[0].text == s.client.full_name
    found = _bundle(client.get(f"{FHIR}/Patient"))
    assert sorted(e.resource.id for e in found.entry) == sorted(
        [str(s.client.public_id), str(second.public_id)]
    )
    assert AuditEvent.objects.filter(action=AuditAction.CASELOAD_VIEWED).count() == 1
    only = _bundle(client.get(f"{FHIR}/Patient?_id={second.public_id}"))
    assert [e.resource.id for e in only.entry] == [str(second.public_id)]


def test_a_client_sees_only_themself(client):
    s = seed()
    client.force_login(s.client.user)
    found = _bundle(client.get(f"{FHIR}/Patient"))
    assert [e.resource.id for e in found.entry] == [str(s.client.public_id)]
    own = _bundle(client.get(f"{FHIR}/Observation?code=mood"))
    assert own.total == 2


# --- out of reach -----------------------------------------------------------------------------
def _everyone_out_of_reach(s) -> list:  # type: ignore[no-untyped-def]
    other_practice, _ = clinician_with_client()
    same_practice_not_on_team = MembershipFactory(
        practice=s.client.practice, user=UserFactory(mfa_exempt=True)
    )
    admin = MembershipFactory(
        practice=s.client.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    other_client = ClientFactory(practice=s.client.practice, user=UserFactory())
    return [other_practice.user, same_practice_not_on_team.user, admin.user, other_client.user]


@pytest.mark.parametrize(
    "path",
    [
        "Patient/{client}",
        "Patient/{client}/$everything",
        "Observation?patient={client}",
        "QuestionnaireResponse?patient={client}",
        "QuestionnaireResponse/{response}",
        "Observation/score-{response}",
    ],
)
def test_out_of_reach_is_404_for_everyone_else(client, path):
    s = seed()
    url = f"{FHIR}/" + path.format(client=s.client.public_id, response=s.phq9.public_id)
    for user in _everyone_out_of_reach(s):
        client.force_login(user)
        outcome = _outcome(client.get(url), 404)
        assert outcome.issue[0].code == "not-found"


def test_a_missing_record_is_the_same_404(client):
    s = seed()
    client.force_login(s.membership.user)
    for path in (
        "Patient/00000000-0000-0000-0000-000000000000",
        "QuestionnaireResponse/00000000-0000-0000-0000-000000000000",
        "Questionnaire/nope",
        "Practitioner/1",
    ):
        assert _outcome(client.get(f"{FHIR}/{path}"), 404).issue[0].code == "not-found"


def test_a_clinician_without_a_second_factor_gets_403(client):
    s = seed()
    s.membership.user.mfa_exempt = False
    s.membership.user.save()
    client.force_login(s.membership.user)
    outcome = _outcome(client.get(f"{FHIR}/Patient/{s.client.public_id}"), 403)
    assert outcome.issue[0].code == "security"


def test_nobody_signed_in_gets_401(client):
    s = seed()
    response = client.get(f"{FHIR}/Patient/{s.client.public_id}")
    assert _outcome(response, 401).issue[0].code == "login"
    assert response["WWW-Authenticate"] == 'Bearer realm="fhir"'


def test_writes_are_refused(client):
    s = seed()
    client.force_login(s.client.user)
    assert _outcome(client.post(f"{FHIR}/Patient", {}), 405).issue[0].code == "not-supported"


# --- tokens -----------------------------------------------------------------------------------
def _token(s, scopes) -> str:  # type: ignore[no-untyped-def]
    _, raw = token_create(
        user=s.client.user,
        client=s.client,
        name="Watch",
        scopes=scopes,
        expires_at=NOW + timedelta(days=30),
    )
    return raw


def test_a_read_token_reads_its_own_record(client):
    s = seed()
    raw = _token(s, [TokenScope.READ])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    patient = client.get(f"{FHIR}/Patient/{s.client.public_id}", **auth)
    assert Patient.model_validate_json(patient.content).id == str(s.client.public_id)
    assert _bundle(client.get(f"{FHIR}/Observation?code=mood", **auth)).total == 2
    other = seed()
    assert client.get(f"{FHIR}/Patient/{other.client.public_id}", **auth).status_code == 404


def test_a_token_without_read_or_a_bad_token_is_401(client):
    s = seed()
    raw = _token(s, [TokenScope.OBSERVATIONS_WRITE])
    for header in (f"Bearer {raw}", "Bearer itk_nonsense", "Basic abc"):
        response = client.get(f"{FHIR}/Patient", HTTP_AUTHORIZATION=header)
        assert _outcome(response, 401).issue[0].code == "login"


# --- questionnaires ---------------------------------------------------------------------------
def test_questionnaire_read_and_search(client):
    s = seed()
    client.force_login(s.client.user)
    phq9 = Questionnaire.model_validate_json(client.get(f"{FHIR}/Questionnaire/phq9").content)
    assert phq9.code[0].code == "44249-1"
    assert phq9.item[8].code[0].code == "44260-8"
    assert phq9.item[0].text == "Little interest or pleasure in doing things"
    assert phq9.item[0].answerOption[3].valueCoding.code == "LA6571-9"
    weight = phq9.item[0].answerOption[3].valueCoding.extension[0]
    assert (weight.url, weight.valueDecimal) == (
        "http://hl7.org/fhir/StructureDefinition/itemWeight",
        3,
    )
    isi = Questionnaire.model_validate_json(client.get(f"{FHIR}/Questionnaire/isi").content)
    assert all(item.text is None for item in isi.item)
    assert "licence is required" in isi.copyright
    everything = _bundle(client.get(f"{FHIR}/Questionnaire"))
    assert len(everything.entry) == 11
    by_url = _bundle(client.get(f"{FHIR}/Questionnaire?url={phq9.url}|1"))
    assert [e.resource.id for e in by_url.entry] == ["phq9"]


def test_questionnaire_response_read_and_search(client):
    s = seed()
    client.force_login(s.membership.user)
    read = QuestionnaireResponse.model_validate_json(
        client.get(f"{FHIR}/QuestionnaireResponse/{s.phq9.public_id}").content
    )
    assert read.questionnaire == "https://interlude.example/fhir/Questionnaire/phq9|1"
    assert read.status == "completed"
    assert read.subject.reference == f"Patient/{s.client.public_id}"
    assert [i.answer[0].valueCoding.code for i in read.item] == [
        "LA6570-1",
        "LA6570-1",
        "LA6569-3",
        "LA6569-3",
        "LA6569-3",
        "LA6569-3",
        "LA6569-3",
        "LA6569-3",
        "LA6568-5",
    ]
    base = f"{FHIR}/QuestionnaireResponse?patient={s.client.public_id}"
    assert _bundle(client.get(f"{base}&questionnaire=phq9")).total == 1
    assert _bundle(client.get(f"{base}&questionnaire=Questionnaire/gad7")).total == 0
    assert _bundle(client.get(f"{base}&questionnaire={read.questionnaire}")).total == 1


# --- rate limit -------------------------------------------------------------------------------
def test_everything_is_rate_limited(client, settings):
    settings.FHIR_EVERYTHING_RATE = "2/min"
    s = seed()
    client.force_login(s.membership.user)
    url = f"{FHIR}/Patient/{s.client.public_id}/$everything"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert _outcome(response, 429).issue[0].code == "throttled"
    assert int(response["Retry-After"]) >= 1


def test_pushed_device_points_carry_their_source(client):
    s = seed()
    from interlude.tracking.services import observations_replace

    observations_replace(
        client=s.client,
        actor=s.client.user,
        source=ObservationSource.DEVICE,
        source_type="interop.push",
        source_id=f"k1-{s.client.public_id}",
        effective_at=datetime(2026, 3, 6, 12, 0, tzinfo=UTC),
        time_zone=s.client.time_zone,
        values={ObservationKind.MINDFUL_MINUTES: 12},
    )
    client.force_login(s.membership.user)
    bundle = _bundle(
        client.get(f"{FHIR}/Observation?patient={s.client.public_id}&code=mindful-minutes")
    )
    obs = bundle.entry[0].resource
    assert obs.meta.tag[0].code == "device"
    assert obs.note[0].text == "Sent by an app or device"
    assert (obs.valueQuantity.value, obs.valueQuantity.unit) == (12.0, "min")
