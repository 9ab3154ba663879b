"""factory_boy factories for model data in tests (DESIGN.md: factories, not fixture files)."""

from __future__ import annotations

import factory
from django.utils import timezone

from interlude.accounts.models import User
from interlude.practices.enums import ClientStatus, Role
from interlude.practices.models import CareTeamMember, Client, Membership, Practice

PASSWORD = "a-long-test-passphrase-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    country = "US"
    time_zone = "America/New_York"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CLINICIAN


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"client{n}@example.org")
    time_zone = "America/New_York"
    status = ClientStatus.ACTIVE
    started_on = factory.LazyFunction(timezone.localdate)
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")

    @factory.post_generation
    def consent(obj: Client, create: bool, extracted: str | None, **kwargs: object) -> None:
        """A test client has consented (and shares the project defaults) unless the test says
        otherwise: `ClientFactory(consent="pending")`, or `consent="none"` for no privacy row."""
        if not create or extracted == "none":
            return
        from interlude.consents.models import ClientPrivacy, ConsentStatus

        status = extracted or ConsentStatus.ACCEPTED
        ClientPrivacy.objects.create(
            client=obj, consent_status=status, consent_version=1, consent_at=timezone.now()
        )


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    client = factory.SubFactory(ClientFactory)
    membership = factory.SubFactory(MembershipFactory)
    is_primary = True
    added_by = factory.SelfAttribute("membership.user")


def clinician_with_client(
    *, practice: Practice | None = None, mfa_exempt: bool = True
) -> tuple[Membership, Client]:
    """A clinician and one client on their care team, in `practice` (or a new one).

    `mfa_exempt=True` stands for "has passed the second factor" in tests that are not about MFA.
    """
    practice = practice or PracticeFactory()
    membership = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=mfa_exempt))
    client = ClientFactory(practice=practice, user=UserFactory())
    CareTeamMemberFactory(client=client, membership=membership)
    return membership, client
