"""The billing receiver: auth, idempotency, down and up again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from prpilot.testing.billing_server import BillingServer

TOKEN = "t"
BILL = {"task_id": "abc", "cost": "0.0123", "prompt_tokens": 100}


def post(server: BillingServer, bill: object = BILL, key: str | None = "k1", token: str = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return requests.post(server.url, json=bill, headers=headers, timeout=5)


@pytest.fixture
def server() -> Iterator[BillingServer]:
    with BillingServer(token=TOKEN, path="/api/bills") as s:
        yield s


def test_fixture_defaults(billing_server: BillingServer) -> None:
    assert billing_server.url.endswith("/bills")
    ok = requests.post(billing_server.url, json=BILL, headers={"Authorization": "Bearer billing-secret"}, timeout=5)
    assert ok.status_code == 201


def test_records_bill_with_bearer_token(server: BillingServer) -> None:
    response = post(server)
    assert response.status_code == 201
    assert response.json() == BILL
    assert server.bills == [BILL]
    assert server.received[0].key == "k1"
    assert server.url.endswith("/api/bills")


@pytest.mark.parametrize("token", ["wrong", ""])
def test_rejects_bad_token(server: BillingServer, token: str) -> None:
    assert post(server, token=token).status_code == 401
    assert server.bills == []


def test_replay_returns_stored_bill_and_is_not_counted(server: BillingServer) -> None:
    assert post(server).status_code == 201
    replay = post(server)
    assert replay.status_code == 200
    assert replay.json() == BILL
    assert replay.headers["idempotent-replayed"] == "true"
    assert post(server, key="k2").status_code == 201
    assert len(server.bills) == 2
    assert server.replays == 1


def test_key_reused_for_another_bill_is_refused(server: BillingServer) -> None:
    post(server)
    assert post(server, bill={**BILL, "cost": "9"}).status_code == 422
    assert server.bills == [BILL]


def test_rejects_non_json_and_wrong_route(server: BillingServer) -> None:
    bad = requests.post(server.url, data=b"{", headers={"Authorization": "Bearer t"}, timeout=5)
    assert bad.status_code == 400
    other = requests.post(server.url.replace("/api/bills", "/x"), json=BILL, timeout=5)
    assert other.status_code == 404


def test_down_with_503_then_up(server: BillingServer) -> None:
    server.down("503")
    assert post(server).status_code == 503
    server.up()
    assert post(server).status_code == 201
    assert server.bills == [BILL]


def test_down_refuses_connections_then_up_on_same_port(server: BillingServer) -> None:
    url = server.url
    server.down()
    with pytest.raises(requests.ConnectionError):
        post(server)
    server.up()
    assert server.url == url
    assert post(server).status_code == 201
    assert post(server).status_code == 200
    assert len(server.bills) == 1
