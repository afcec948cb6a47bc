"""API tokens are kept as the SHA-256 digest of their key: a database dump or a read-only SQL
account holds nothing that opens the API. The key is shown once, when it is issued; each
log-in issues its own, up to ApiToken.PER_USER at once; the tokens issued before digests
were kept in clear keep working after the migration that replaced each key by its digest."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User, api_token_digest
from accounts.services import api_token_issue
from tests.factories import PASSWORD, UserFactory


def _log_in(user: User) -> str:
    response = APIClient().post(
        "/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def _me(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/me/").status_code


@pytest.mark.django_db
class TestTokenIsStoredAsItsDigest:
    def test_the_database_holds_no_usable_key(self, bob) -> None:  # type: ignore[no-untyped-def]
        key = _log_in(bob.user)
        assert _me(key) == 200
        stored = ApiToken.objects.get(user=bob.user)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM accounts_apitoken")
            rows = cursor.fetchall()
        assert not any(key in str(value) for row in rows for value in row)
        assert stored.digest == api_token_digest(key) and len(stored.digest) == 64
        # What a dump shows is no token.
        assert _me(stored.digest) == 401
        assert key not in str(stored)

    def test_each_log_in_issues_a_new_token_and_the_earlier_keep_working(self, bob) -> None:  # type: ignore[no-untyped-def]
        first, second = _log_in(bob.user), _log_in(bob.user)
        assert first != second and len(first) == len(second) == 40
        assert (_me(first), _me(second)) == (200, 200)
        assert ApiToken.objects.filter(user=bob.user).count() == 2

    def test_the_oldest_go_beyond_the_cap(self, bob) -> None:  # type: ignore[no-untyped-def]
        keys = [api_token_issue(user=bob.user) for _ in range(ApiToken.PER_USER + 2)]
        assert ApiToken.objects.filter(user=bob.user).count() == ApiToken.PER_USER
        assert [_me(key) for key in keys[:3]] == [401, 401, 200]
        assert _me(keys[-1]) == 200

    def test_another_persons_tokens_are_not_counted(self, bob) -> None:  # type: ignore[no-untyped-def]
        other = UserFactory()
        theirs = api_token_issue(user=other)
        for _ in range(ApiToken.PER_USER + 1):
            api_token_issue(user=bob.user)
        assert _me(theirs) == 200

    def test_a_revoked_or_expired_token_is_refused(self, bob, settings) -> None:  # type: ignore[no-untyped-def]
        expired, kept = api_token_issue(user=bob.user), api_token_issue(user=bob.user)
        ApiToken.objects.filter(digest=api_token_digest(expired)).update(
            created=timezone.now() - datetime.timedelta(hours=settings.TOKEN_TTL_HOURS)
        )
        assert (_me(expired), _me(kept)) == (401, 200)


# DRF's authtoken table, as its migrations left it, with a key in clear.
_LEGACY_TABLE = """
CREATE TABLE authtoken_token (
    key varchar(40) NOT NULL PRIMARY KEY,
    created timestamp with time zone NOT NULL,
    user_id bigint NOT NULL UNIQUE REFERENCES accounts_user (id)
)
"""
_BEFORE = [("accounts", "0005_api_token")]
_AFTER = [("accounts", "0006_api_token_digests")]


@pytest.mark.django_db(transaction=True)
class TestTokensIssuedBeforeDigests:
    def test_an_old_token_still_works_after_the_migration_and_its_key_is_gone(self) -> None:
        user = UserFactory()
        old_key = "0123456789abcdef0123456789abcdef01234567"
        issued = timezone.now() - datetime.timedelta(days=3)
        executor = MigrationExecutor(connection)
        executor.migrate(_BEFORE)
        try:
            with connection.cursor() as cursor:
                cursor.execute(_LEGACY_TABLE)
                cursor.execute(
                    "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                    [old_key, issued, user.pk],
                )
            executor.loader.build_graph()
            executor.migrate(_AFTER)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM authtoken_token")
                assert cursor.fetchone() == (0,)
        finally:
            MigrationExecutor(connection).migrate(_AFTER)
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS authtoken_token")

        assert _me(old_key) == 200
        migrated = ApiToken.objects.get(user=user)
        # Its lifetime runs on from when it was issued, not from the migration.
        assert migrated.created == issued
        assert migrated.digest == api_token_digest(old_key)
