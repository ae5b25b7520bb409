"""The ledger on a git ref: single exchanges with ``responses``, then races against the fake GitHub."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import responses

from github import Auth, Github
from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Ledger, Record, Reservation, dump_records, parse_records, tasks_in_last_hour
from prpilot.billing.ref_ledger import RefLedgerBackend
from prpilot.errors import GitHubError, LedgerConflict
from prpilot.github.ref_store import GitRefStore
from prpilot.task import Task
from prpilot.testing.github import FakeGitHub

API = "https://api.github.test"
REPO = f"{API}:443/repos/acme/widgets"  # PyGithub spells the port out in the URLs it builds
HREF = f"{API}/repos/acme/widgets"  # and GitHub leaves it out of the URLs it answers
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
LINE = dump_records([Reservation(task_id="a", user="octocat", at=NOW)])


def backend() -> RefLedgerBackend:
    client = Github(
        auth=Auth.Token("t"), base_url=API, retry=None, lazy=True, seconds_between_requests=0, seconds_between_writes=0
    )
    return RefLedgerBackend(GitRefStore(client.get_repo("acme/widgets")), clock=lambda: NOW)


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
    ("status", "message", "said"),
    [
        (500, "Server Error",
         "GitHub refused to read the ledger refs/prpilot/ledger of acme/widgets: 500 Server Error"),
        (403, "Resource not accessible by integration",
         "the workflow's token may not read the ledger refs/prpilot/ledger of acme/widgets"),
        (422, "Invalid tree info",
         "GitHub refused to read the ledger refs/prpilot/ledger of acme/widgets: 422 Invalid tree info"),
    ],
)
@responses.activate
def test_other_github_errors_are_plain_github_errors(status: int, message: str, said: str) -> None:
    """The ledger's errors read like every other GitHub error: one mapping of PyGithub's errors."""
    responses.get(f"{REPO}/git/ref/prpilot/ledger", status=status, json={"message": message})
    with pytest.raises(GitHubError, match=re.escape(said)) as caught:
        backend().read()
    assert not isinstance(caught.value, LedgerConflict)


# --- against the fake GitHub: a real bare repository behind the git data API --------------------

SLUG = "acme/widgets"
SHARD = "ledger/2026-11.jsonl"


def fake_backend(fake: FakeGitHub, now: datetime = NOW) -> RefLedgerBackend:
    client = Github(
        auth=Auth.Token(fake.token), base_url=fake.api_url, retry=None,
        seconds_between_requests=0, seconds_between_writes=0,
    )  # fmt: skip
    return RefLedgerBackend(GitRefStore(client.get_repo(SLUG)), clock=lambda: now)


def fake_ledger(fake: FakeGitHub, now: datetime = NOW) -> Ledger:
    return Ledger(fake_backend(fake, now), clock=lambda: now, backoff=0.02)


def task() -> Task:
    return Task(github_user="octocat", github_project=SLUG, user_request="fix it")


def limit(n: int) -> Callable[[list[Record]], str | None]:
    return lambda records: f"rate limit {n}/hour reached" if tasks_in_last_hour(records, NOW) >= n else None


def bill(task_id: str) -> Bill:
    return Bill(
        task_id=task_id, repository=SLUG, user="octocat", model="gpt-4o", prompt_tokens=10, cached_tokens=0,
        completion_tokens=5, cost_usd=Decimal("0.25"), run_id="9", created_at=NOW,
    )  # fmt: skip


def calls(fake: FakeGitHub, mark: int) -> list[str]:
    return [f"{r.method} {r.path.split('?')[0]}" for r in fake.since(mark) if r.kind == "rest"]


def test_ledger_lives_on_its_own_ref_and_counts_requests(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(SLUG, files={"README.md": "hi\n"})
    main = fake_github.ref(SLUG, "refs/heads/main")
    ledger, first, second = fake_ledger(fake_github), task(), task()

    mark = fake_github.mark()
    assert ledger.admit(first, limit(1)) is None
    assert [c.split(" ")[0] for c in calls(fake_github, mark)] == ["GET", "POST", "POST", "POST"]  # ref, tree...

    mark = fake_github.mark()
    assert ledger.admit(second, limit(1)) == "rate limit 1/hour reached"
    # A rejection only reads, and only the ref: the month file at our own commit is the one we wrote.
    assert [c.split(" ")[0] for c in calls(fake_github, mark)] == ["GET"]

    mark = fake_github.mark()
    ledger.settle(bill(first.id))
    assert len(calls(fake_github, mark)) == 4  # ref + tree, commit, ref (the parent and its file are our own)

    fresh = fake_ledger(fake_github)  # as in another process: it must fetch the parent commit
    mark = fake_github.mark()
    fresh.settle(None, deliver=lambda bills: [first.id])
    assert [c.split(" ")[0] for c in calls(fake_github, mark)] == ["GET", "GET", "GET", "POST", "POST", "PATCH"]

    text = fake_github.read_file(SLUG, SHARD, ref="refs/prpilot/ledger")
    assert text is not None
    assert [r.kind for r in parse_records(text)] == ["reservation", "settlement", "delivery"]
    assert fake_github.git(SLUG, "rev-list", "--count", "refs/prpilot/ledger").strip() == "3"
    assert fake_github.ref(SLUG, "refs/heads/main") == main  # no branch touched
    assert fake_github.read_file(SLUG, "README.md", ref="refs/prpilot/ledger") is None


def test_what_another_run_wrote_is_read_again(fake_github: FakeGitHub) -> None:
    """The files kept from our own write serve only while the ref stays on our commit."""
    fake_github.add_repo(SLUG)
    ours, theirs = fake_ledger(fake_github), fake_ledger(fake_github)
    assert ours.admit(task(), limit(9)) is None
    assert theirs.admit(task(), limit(9)) is None
    mark = fake_github.mark()
    assert len(ours.records()) == 2
    assert [c.split(" ")[0] for c in calls(fake_github, mark)] == ["GET", "GET"]  # the ref moved: its file too


def test_months_are_separate_files_read_together_in_the_first_hour(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(SLUG)
    fake_ledger(fake_github, datetime(2026, 10, 31, 23, 30, tzinfo=UTC)).admit(task(), limit(9))
    early = fake_ledger(fake_github, datetime(2026, 11, 1, 0, 10, tzinfo=UTC))
    early.admit(task(), limit(9))
    assert len(early.records()) == 2
    assert len(fake_ledger(fake_github, datetime(2026, 11, 1, 1, 0, tzinfo=UTC)).records()) == 1
    for shard in ("ledger/2026-10.jsonl", "ledger/2026-11.jsonl"):
        assert fake_github.read_file(SLUG, shard, ref="refs/prpilot/ledger")


def test_two_first_writers_race_to_create_the_ref(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(SLUG)
    one, two = fake_backend(fake_github), fake_backend(fake_github)
    assert one.read() == (None, "") == two.read()
    one.write(None, dump_records([Reservation(task_id="a", user="u", at=NOW)]))
    with pytest.raises(LedgerConflict):
        two.write(None, dump_records([Reservation(task_id="b", user="u", at=NOW)]))


def test_a_server_error_is_a_github_error(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(SLUG)
    fake_github.fail("GET", r"/git/ref/", 502)
    with pytest.raises(GitHubError, match="read the ledger refs/prpilot/ledger of acme/widgets"):
        fake_backend(fake_github).read()


def test_a_404_for_a_month_file_the_commit_holds_stops_the_write(fake_github: FakeGitHub) -> None:
    # Issue 13, class 2: the 404 was read as an empty month, rewritten with the new record alone.
    fake_github.add_repo(SLUG)
    ledger, earlier = fake_ledger(fake_github), task()
    ledger.admit(earlier, limit(9))
    ledger.settle(bill(earlier.id))
    before = fake_github.ref(SLUG, "refs/prpilot/ledger")
    fake_github.fail("GET", r"/contents/ledger/2026-11\.jsonl$", 404, times=99)

    with pytest.raises(GitHubError, match=r"answered 404 for ledger/2026-11\.jsonl at .*the ledger is left as it is"):
        fake_ledger(fake_github).settle(bill("later"))

    assert fake_github.ref(SLUG, "refs/prpilot/ledger") == before
    text = fake_github.read_file(SLUG, SHARD, ref="refs/prpilot/ledger") or ""
    assert [r.kind for r in parse_records(text)] == ["reservation", "settlement"]


def test_a_new_months_missing_file_is_an_empty_month_and_last_months_stays(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(SLUG)
    fake_ledger(fake_github, datetime(2026, 10, 20, tzinfo=UTC)).admit(task(), limit(9))
    november = fake_ledger(fake_github, NOW)

    assert november.records() == []  # the directory listing agrees: no November file yet
    november.admit(task(), limit(9))

    assert len(parse_records(fake_github.read_file(SLUG, "ledger/2026-10.jsonl", ref="refs/prpilot/ledger") or "")) == 1
    assert len(november.records()) == 1


@pytest.mark.slow
def test_twenty_concurrent_admissions_with_limit_five_admit_exactly_five(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(SLUG)
    ledgers = [fake_ledger(fake_github) for _ in range(20)]
    start = threading.Barrier(20)

    def admit(ledger: Ledger) -> str | None:
        start.wait()
        return ledger.admit(task(), limit(5))

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(admit, ledgers))
    assert answers.count(None) == 5
    assert answers.count("rate limit 5/hour reached") == 15
    text = fake_github.read_file(SLUG, SHARD, ref="refs/prpilot/ledger")
    assert text is not None
    assert tasks_in_last_hour(parse_records(text), NOW) == 5
    lost = [r for r in fake_github.rest() if r.method == "PATCH" and r.status == 422]
    assert lost, "the race should have been contested at least once"
