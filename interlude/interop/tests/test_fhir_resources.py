"""The mapping to FHIR R4 resources: ids, codes, licences, the export Bundle, the demo record."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import time_machine
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from interlude.accounts.models import User
from interlude.clinic.demo import demo_seed
from interlude.consents.access import Viewer, care_access_for
from interlude.interop.fhir import resources as r
from interlude.interop.fhir.bundle import export_bundle, export_bundle_bytes
from interlude.interop.tests.fhir_seed import NOW, seed, share
from interlude.measures.instruments import shipped_definitions
from interlude.practices.enums import ShareScope


# --- pure ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("pk", [1, 2, 41, 2**31, 2**62])
def test_observation_ids_round_trip_and_hide_the_key(pk):
    fhir_id = r.observation_fhir_id(pk)
    assert fhir_id.startswith("obs-") and len(fhir_id) == 36
    assert fhir_id[4:] != pk.to_bytes(16, "big").hex()  # never the key in the clear
    assert r.observation_pk(fhir_id) == pk
    assert r.observation_fhir_id(pk) == fhir_id  # stable


def test_neighbouring_keys_give_unrelated_ids():
    a, b = r.observation_fhir_id(100), r.observation_fhir_id(101)
    assert sum(x == y for x, y in zip(a[4:], b[4:], strict=True)) < 10


@pytest.mark.parametrize("made_up", ["obs-" + "0" * 32, "obs-zz", "obs-", "42", "score-x", ""])
def test_made_up_observation_ids_name_nothing(made_up):
    assert r.observation_pk(made_up) is None


def test_kind_codes_use_loinc_where_one_exists():
    assert (r.KIND_CODES["sleep_hours"].system, r.KIND_CODES["sleep_hours"].code) == (
        "http://loinc.org",
        "93832-4",
    )
    assert (r.KIND_CODES["steps"].code, r.KIND_CODES["steps"].ucum) == ("55423-8", "{steps}")
    assert r.KIND_CODES["mood"].system == "https://interlude.example/fhir/CodeSystem/observation"
    assert r.KIND_CODES["mindful_minutes"].code == "mindful-minutes"


@pytest.mark.parametrize("code", sorted(shipped_definitions()))
def test_every_shipped_instrument_is_a_valid_questionnaire(code):
    definition = shipped_definitions()[code]
    questionnaire = Questionnaire.model_validate_json(
        r.questionnaire_resource(definition).model_dump_json()
    )
    assert questionnaire.url == f"https://interlude.example/fhir/Questionnaire/{code}"
    assert questionnaire.version == definition.version
    assert questionnaire.status == "active"
    assert len(questionnaire.item) == definition.item_count
    texts = [item.text for item in questionnaire.item]
    if definition.text_shipped:
        assert texts == [i.text or None for i in definition.items]
    else:
        assert texts == [None] * definition.item_count
    if definition.loinc_panel:
        assert questionnaire.code[0].code == definition.loinc_panel


def test_reverse_scored_items_weigh_their_answers_backwards():
    core10 = shipped_definitions()["core10"]
    reverse = next(i for i in core10.items if i.reverse)
    questionnaire = r.questionnaire_resource(core10)
    item = questionnaire.item[reverse.number - 1]
    weights = [o.valueCoding.extension[0].valueDecimal for o in item.answerOption]
    assert weights == [4, 3, 2, 1, 0]


def test_gad7_total_uses_its_loinc_code():
    coding = r.total_coding(shipped_definitions()["gad7"])
    assert (coding["system"], coding["code"]) == ("http://loinc.org", "70274-6")
    isi = r.total_coding(shipped_definitions()["isi"])
    assert (isi["system"], isi["code"]) == (
        "https://interlude.example/fhir/CodeSystem/instrument-total",
        "isi",
    )


# --- the export Bundle --------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_export_is_a_collection_of_the_whole_record_as_the_client_sees_it():
    with time_machine.travel(NOW, tick=False):
        s = seed()
        other = seed()
        share(s.client, ShareScope.MEASURES, False)  # the client still sees their own answers
        user = User.objects.get(pk=s.client.user_id)
        care = care_access_for(client=s.client, user=user, viewer=Viewer.SELF, membership=None)
        bundle = Bundle.model_validate_json(export_bundle_bytes(access=care, now=NOW))
    assert bundle.type == "collection"
    assert all(e.fullUrl is None and e.search is None for e in bundle.entry)
    assert Counter(e.resource.get_resource_type() for e in bundle.entry) == Counter(
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
    text = bundle.model_dump_json()
    assert str(other.client.public_id) not in text
    consent = next(e.resource for e in bundle.entry if e.resource.get_resource_type() == "Consent")
    assert consent.status == "active"
    by_code = {p.code[0].coding[0].code: p.type for p in consent.provision.provision}
    assert by_code["measures"] == "deny"
    assert by_code["checkins"] == "permit"
    assert by_code["messages"] == "permit"
    goals = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Goal"]
    linked = goals[0].target[0]
    assert (linked.measure.coding[0].code, linked.detailQuantity.comparator) == ("44261-6", "<")
    assert linked.detailQuantity.value == 10


@pytest.mark.django_db
def test_the_demo_clients_everything_parses(settings):
    with time_machine.travel(datetime(2026, 3, 18, 15, 0, tzinfo=UTC), tick=False):
        demo_seed()
        user = User.objects.get(email="client@demo.interlude.test")
        client = user.client_profile
        care = care_access_for(client=client, user=user, viewer=Viewer.SELF, membership=None)
        bundle = export_bundle(access=care, now=NOW)
    again = Bundle.model_validate_json(bundle.model_dump_json())
    kinds = Counter(e.resource.get_resource_type() for e in again.entry)
    assert kinds["Patient"] == 1
    assert kinds["Observation"] > 50
    assert kinds["QuestionnaireResponse"] > 0
    assert kinds["Consent"] == 1
    assert kinds["CarePlan"] == 1
    assert kinds["Goal"] >= 1
    assert kinds["Communication"] >= 1
