"""The list rows made in Python (team, review queue, my training): what people typed is
escaped, and the standings' credential types carry their rules in a fixed order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from peerportal.certification import selectors
from peerportal.certification.models import ApprovedProvider, CETopic, TopicRequirement
from tests.certification.factories import TrainingRecordFactory, grant_credential

pytestmark = pytest.mark.django_db

TYPED = '<b>Grief & "loss"</b>'


def test_typed_text_is_escaped_in_the_rows(staff, staff_client, supervisor_client):
    cert = grant_credential(staff, "escaped-credential")
    cert.credential_type.name = TYPED
    cert.credential_type.save()
    TrainingRecordFactory(person=staff, course=TYPED, provider=TYPED, hours=Decimal("1.50"))
    escaped = "&lt;b&gt;Grief &amp; &quot;loss&quot;&lt;/b&gt;"
    for client, name in [
        (staff_client, "certification:progress"),
        (supervisor_client, "certification:review-queue"),
        (supervisor_client, "certification:team"),
    ]:
        html = client.get(reverse(name)).content.decode()
        assert escaped in html, name
        assert TYPED not in html, name
    assert "1.50 h" in supervisor_client.get(reverse("certification:review-queue")).content.decode()


def test_standings_carry_requirements_in_the_order_added_and_providers(staff):
    cert = grant_credential(staff, "ordered-credential")
    ctype = cert.credential_type
    topics = [CETopic.objects.create(code=f"t{k}", name=f"Topic {k}") for k in range(3)]
    for topic, hours in zip(reversed(topics), (1, 2, 3), strict=True):
        TopicRequirement.objects.create(credential_type=ctype, topic=topic, min_hours=hours)
    TopicRequirement.objects.filter(topic=topics[2]).update(min_hours=Decimal("4.25"))
    ApprovedProvider.objects.create(credential_type=ctype, name="Invented Institute")
    row = selectors.standings_by_person([staff], dt.date.today())[staff.pk][0]
    loaded = row["certification"].credential_type
    reqs = list(loaded.topic_requirements.all())
    assert [(r.topic.name, r.min_hours) for r in reqs] == [
        ("Topic 2", Decimal("4.25")),
        ("Topic 1", Decimal("2")),
        ("Topic 0", Decimal("3")),
    ]
    assert [p.name for p in loaded.approved_providers.all()] == ["Invented Institute"]
    assert row["certification"].pk == cert.pk and row["certification"].holder_id == staff.pk
