"""PostPeer's connect, integrations, creator-info and health routes on tikpost."""

from __future__ import annotations

from typing import Any

from tests.compat.postpeer.helpers import PostPeer, Started
from tests.service.conftest import SQLITE_ONLY
from tests.support.oauth_browser import authorize
from tikpost.compat.postpeer import schemas

pytestmark = SQLITE_ONLY


def _error(answer: Any, status: int, code: str) -> schemas.ErrorAnswer:
    assert answer.status_code == status, answer.text
    error = schemas.ErrorAnswer.model_validate(answer.json())
    assert error.code == code, error
    return error


def test_integrations_are_the_teams_connected_accounts(started: Started) -> None:
    client = started.postpeer
    first = client.connect("alpha")
    second = client.connect("beta")

    def listed(**params: Any) -> schemas.IntegrationList:
        answer = client.client.get("/v1/connect/integrations", params=params)
        assert answer.status_code == 200, answer.text
        return schemas.IntegrationList.model_validate(answer.json())

    everything = listed()
    assert (everything.total, [i.id for i in everything.integrations]) == (2, [second, first])
    assert [i.id for i in listed(sort="asc", limit=1).integrations] == [first]
    assert [i.id for i in listed(sort="asc", offset=1).integrations] == [second]
    assert listed(platform="tiktok").total == 2
    assert listed(platform="twitter").total == 0
    assert listed(q="ALPHA").total == 1
    assert listed(profileId="null").total == 2
    assert listed(profileId="profile_acme").total == 0
    one = client.client.get(f"/v1/connect/integrations/{first}")
    integration = schemas.IntegrationAnswer.model_validate(one.json()).integration
    assert (integration.platform, integration.profileId) == ("tiktok", None)
    assert integration.platformUserId

    gone = client.client.delete(f"/v1/connect/integrations/{first}")
    assert gone.status_code == 200, gone.text
    schemas.Message.model_validate(gone.json())
    assert [i.id for i in listed().integrations] == [second]
    _error(client.client.get(f"/v1/connect/integrations/{first}"), 404, "account_not_found")
    native = started.native.get(f"/v1/accounts/{first}").json()
    assert native["status"] == "revoked"


def test_creator_info_is_tiktoks_live_answer(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("creator")
    answer = client.client.get("/v1/tiktok/creator-info", params={"accountId": account_id})
    assert answer.status_code == 200, answer.text
    info = schemas.CreatorInfo.model_validate(answer.json())
    native = started.native.get(f"/v1/accounts/{account_id}/creator-info").json()
    assert info.privacyLevelOptions == native["privacy_level_options"]
    assert info.creatorUsername == native["creator_username"]
    _error(client.client.get("/v1/tiktok/creator-info"), 400, "validation_error")
    _error(
        client.client.get("/v1/tiktok/creator-info", params={"accountId": "acct_nope"}),
        404,
        "account_not_found",
    )


def test_connect_serves_tiktok_only(started: Started) -> None:
    client = started.postpeer
    _error(client.client.get("/v1/connect/twitter"), 403, "platform_not_available")
    answer = client.client.get("/v1/connect/TikTok")
    assert answer.status_code == 200, answer.text
    assert authorize(answer.json()["url"], username="upper").status_code == 200


def test_another_teams_integrations_are_not_found(started: Started) -> None:
    account_id = started.postpeer.connect("mine")
    with PostPeer.on(started.svc, started.other_key) as other:
        assert other.client.get("/v1/connect/integrations").json()["total"] == 0
        for answer in (
            other.client.get(f"/v1/connect/integrations/{account_id}"),
            other.client.delete(f"/v1/connect/integrations/{account_id}"),
            other.client.get("/v1/tiktok/creator-info", params={"accountId": account_id}),
        ):
            _error(answer, 404, "account_not_found")
    assert started.postpeer.client.get(f"/v1/connect/integrations/{account_id}").status_code == 200


def test_health(started: Started) -> None:
    client = started.postpeer
    assert schemas.Health.model_validate(client.client.get("/v1/health").json()).ok
    assert client.client.get("/v1/health/auth").json() == {"ok": True}
    with PostPeer.on(started.svc, "tp_wrong") as stranger:
        _error(stranger.client.get("/v1/health/auth"), 401, "api_key_invalid")
        assert stranger.client.get("/v1/health").status_code == 200
