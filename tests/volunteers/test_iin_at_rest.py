"""The IIN at rest: encrypted in its column, found and kept unique through a keyed hash, the keys
from settings, rotated by a command (volunteers/crypto.py)."""

from __future__ import annotations

import os
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from tests.factories import VolunteerFactory
from volunteers import crypto
from volunteers.models import Volunteer

IIN = "900101300017"  # a valid IIN of a man born on 1990-01-01 (check digit included)


def _raw(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT iin, iin_hash FROM volunteers_volunteer WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.fixture
def person(almaty):  # type: ignore[no-untyped-def]
    import datetime

    return VolunteerFactory(region=almaty, birth_date=datetime.date(1990, 1, 1), iin=IIN)


@pytest.mark.django_db
def test_the_column_holds_a_token_and_the_hash_finds_the_person(person) -> None:  # type: ignore[no-untyped-def]
    stored, digest = _raw(person.pk)
    assert IIN not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert digest == crypto.iin_digest(IIN) and IIN not in digest
    assert Volunteer.objects.get(pk=person.pk).iin == IIN
    assert Volunteer.objects.get(iin_hash=crypto.iin_digest(IIN)) == person
    with pytest.raises(TypeError, match="iin_hash"):
        Volunteer.objects.filter(iin=IIN).exists()  # would silently match nothing otherwise


@pytest.mark.django_db
def test_one_iin_one_person_in_the_database(person, almaty) -> None:  # type: ignore[no-untyped-def]
    import datetime

    other = VolunteerFactory(region=almaty, birth_date=datetime.date(1990, 1, 1))
    other.iin = IIN
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


@pytest.mark.django_db
def test_erasing_a_person_erases_the_hash_too(person) -> None:  # type: ignore[no-untyped-def]
    from volunteers.services import volunteer_anonymize

    volunteer_anonymize(volunteer=person, requested_by=None)
    assert _raw(person.pk) == (None, None)


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_new_key(person, settings) -> None:  # type: ignore[no-untyped-def]
    old = settings.IIN_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.IIN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_iin_key", stdout=open(os.devnull, "w"))
    settings.IIN_ENCRYPTION_KEYS = [new]  # the old key dropped
    assert Volunteer.objects.get(pk=person.pk).iin == IIN
    assert Fernet(new.encode()).decrypt(_raw(person.pk)[0].encode()).decode() == IIN
    settings.IIN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a key that never saw it
    with pytest.raises(ValueError, match="IIN_ENCRYPTION_KEYS"):
        Volunteer.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_a_new_hash_key_needs_rehashing(person, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IIN_HASH_KEY = "a-new-hash-key"
    assert not Volunteer.objects.filter(iin_hash=crypto.iin_digest(IIN)).exists()
    call_command("rotate_iin_key", "--rehash", stdout=open(os.devnull, "w"))
    assert Volunteer.objects.get(iin_hash=crypto.iin_digest(IIN)) == person


def test_production_without_keys_does_not_start(settings) -> None:  # type: ignore[no-untyped-def]
    settings.IIN_ENCRYPTION_KEYS = []
    ids = {message.id for message in run_checks()}
    assert "volunteer_net.E002" in ids
    settings.IIN_ENCRYPTION_KEYS = ["not-a-key"]
    settings.IIN_HASH_KEY = "x"
    assert "volunteer_net.E003" in {message.id for message in run_checks()}


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_reveals_no_iin(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    import datetime

    VolunteerFactory(birth_date=datetime.date(1990, 1, 1), iin=IIN)
    s = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "volunteers_volunteer" in dump and IIN not in dump
