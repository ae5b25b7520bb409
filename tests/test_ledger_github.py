"""The ledger on a git ref: single exchanges with ``responses``, then races against the fake GitHub."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import responses
from github import Auth, Github

from prpilot.errors import GitHubError, LedgerConflict
from prpilot.ledger import Reservation, dump_records
from prpilot.ledger_github import GitRefLedgerBackend

API = "https://api.github.test"
REPO = f"{API}:443/repos/acme/widgets"  # PyGithub spells the port out in the URLs it builds
HREF = f"{API}/repos/acme/widgets"  # and GitHub leaves it out of the URLs it answers
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
LINE = dump_records([Reservation(task_id="a", user="octocat", at=NOW)])


def backend() -> GitRefLedgerBackend:
    client = Github(
        auth=Auth.Token("t"), base_url=API, retry=None, lazy=True, seconds_between_requests=0, seconds_between_writes=0
    )
    return GitRefLedgerBackend(client.get_repo("acme/widgets"), clock=lambda: NOW)


def ref_body(sha: str) -> dict[str, object]:
    return {"ref": "refs/prpilot/ledger", "url": f"{HREF}/git/refs/prpilot/ledger",
            "object": {"sha": sha, "type": "commit", "url": f"{HREF}/git/commits/{sha}"}}  # fmt: skip


def commit_body(sha: str, tree: str) -> dict[str, object]:
    return {"sha": sha, "url": f"{HREF}/git/commits/{sha}", "message": "m", "parents": [],
            "tree": {"sha": tree, "url": f"{HREF}/git/trees/{tree}"}}  # fmt: skip


@responses.activate
def test_no_ref_yet_is_an_empty_ledger_and_the_first_write_creates_it() -> None:
    responses.get(f"{REPO}/git/ref/prpilot/ledger", status=404, json={"message": "Not Found"})
    responses.post(f"{REPO}/git/trees", status=201, json={"sha": "t1", "url": f"{REPO}/git/trees/t1", "tree": []})
    responses.post(f"{REPO}/git/commits", status=201, json=commit_body("c1", "t1"))
    responses.post(f"{REPO}/git/refs", status=201, json=ref_body("c1"))
    ledger = backend()
    assert ledger.read() == (None, "")
    assert ledger.write(None, LINE) == "c1"
    tree_call, commit_call, ref_call = (json.loads(c.request.body or b"") for c in responses.calls[1:])
    assert tree_call == {"tree": [{"path": "ledger/2026-11.jsonl", "mode": "100644", "type": "blob", "content": LINE}]}
    assert commit_call["parents"] == []
    assert ref_call == {"ref": "refs/prpilot/ledger", "sha": "c1"}
    assert len(responses.calls) == 4


@responses.activate
def test_read_then_write_is_six_requests_and_a_moved_ref_is_a_conflict() -> None:
    responses.get(f"{REPO}/git/ref/prpilot/ledger", json=ref_body("c1"))
    content = base64.b64encode(LINE.encode()).decode()
    responses.get(f"{REPO}/contents/ledger/2026-11.jsonl", json={
        "type": "file", "encoding": "base64", "content": content, "sha": "b1", "path": "ledger/2026-11.jsonl",
        "name": "2026-11.jsonl", "size": len(LINE), "url": f"{REPO}/contents/ledger/2026-11.jsonl",
    })  # fmt: skip
    responses.get(f"{REPO}/git/commits/c1", json=commit_body("c1", "t1"))
    responses.post(f"{REPO}/git/trees", status=201, json={"sha": "t2", "url": f"{REPO}/git/trees/t2", "tree": []})
    responses.post(f"{REPO}/git/commits", status=201, json=commit_body("c2", "t2"))
    responses.patch(f"{REPO}/git/refs/prpilot/ledger", status=422, json={"message": "Update is not a fast forward"})
    ledger = backend()
    assert ledger.read() == ("c1", LINE)
    with pytest.raises(LedgerConflict, match="not a fast forward"):
        ledger.write("c1", LINE.replace('"a"', '"b"'))
    assert [c.request.method for c in responses.calls] == ["GET", "GET", "GET", "POST", "POST", "PATCH"]
    tree = json.loads(responses.calls[3].request.body or b"")
    assert tree["base_tree"] == "t1"
    assert tree["tree"][0]["content"] == LINE + LINE.replace('"a"', '"b"')
    assert json.loads(responses.calls[4].request.body or b"")["parents"] == ["c1"]
    assert json.loads(responses.calls[5].request.body or b"") == {"sha": "c2", "force": False}


@responses.activate
def test_a_ref_created_first_by_another_run_is_a_conflict() -> None:
    responses.post(f"{REPO}/git/trees", status=201, json={"sha": "t1", "url": f"{REPO}/git/trees/t1", "tree": []})
    responses.post(f"{REPO}/git/commits", status=201, json=commit_body("c1", "t1"))
    responses.post(f"{REPO}/git/refs", status=422, json={"message": "Reference already exists"})
    with pytest.raises(LedgerConflict):
        backend().write(None, LINE)


@pytest.mark.parametrize(
    ("status", "message"),
    [(500, "Server Error"), (403, "Resource not accessible by integration"), (422, "Invalid tree info")],
)
@responses.activate
def test_other_github_errors_are_plain_github_errors(status: int, message: str) -> None:
    responses.get(f"{REPO}/git/ref/prpilot/ledger", status=status, json={"message": message})
    with pytest.raises(GitHubError, match=f"could not read the ledger refs/prpilot/ledger of acme/widgets: "
                       f"GitHub answered {status} {message}") as caught:  # fmt: skip
        backend().read()
    assert not isinstance(caught.value, LedgerConflict)
