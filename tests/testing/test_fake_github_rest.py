"""REST behaviour of the fake that prpilot relies on: auth, errors, pulls, git data edge cases."""

from __future__ import annotations

import base64
import subprocess
from typing import Any

import pytest
import requests

from github import Auth, Github, GithubException
from prpilot.testing.github import FakeGitHub

REPO = "octo/proj"


def call(fake: FakeGitHub, method: str, path: str, token: str | None = None, scheme: str = "token",
         **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"{scheme} {token or fake.token}"}
    return requests.request(method, fake.api_url + path, headers=headers, timeout=10, **kwargs)


@pytest.fixture
def fake(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_repo(REPO, files={"README.md": "# proj\n", "src/app.py": "x = 1\n"})
    return fake_github


@pytest.mark.parametrize("scheme", ["token", "Bearer", "TOKEN", "bearer"])
def test_token_schemes_are_case_insensitive(fake: FakeGitHub, scheme: str) -> None:
    assert call(fake, "GET", f"/repos/{REPO}", scheme=scheme).status_code == 200


def test_unknown_or_missing_token_is_401(fake: FakeGitHub) -> None:
    assert call(fake, "GET", f"/repos/{REPO}", token="ghp_nope").json()["message"] == "Bad credentials"
    assert requests.get(f"{fake.api_url}/repos/{REPO}", timeout=10).status_code == 401


def test_workflow_token_cannot_read_user_but_a_user_token_can(fake: FakeGitHub) -> None:
    denied = call(fake, "GET", "/user")
    assert (denied.status_code, denied.json()["message"]) == (403, "Resource not accessible by integration")
    alice = fake.issue_token("alice")
    assert call(fake, "GET", "/user", token=alice).json()["login"] == "alice"


def test_read_only_token_reads_but_every_write_is_403(fake: FakeGitHub) -> None:
    number = fake.add_issue(REPO, "Bug")
    assert call(fake, "GET", f"/repos/{REPO}/issues/{number}", token=fake.read_token).status_code == 200
    denied = call(fake, "POST", f"/repos/{REPO}/issues/{number}/comments", token=fake.read_token, json={"body": "x"})
    assert (denied.status_code, denied.json()["message"]) == (403, "Resource not accessible by integration")
    assert fake.comments(REPO, number) == []


def test_refs_outside_heads_and_ref_errors(fake: FakeGitHub) -> None:
    main = fake.ref(REPO, "main")
    assert call(fake, "GET", f"/repos/{REPO}/git/ref/prpilot/ledger").status_code == 404
    created = call(fake, "POST", f"/repos/{REPO}/git/refs", json={"ref": "refs/prpilot/ledger", "sha": main})
    assert created.status_code == 201
    assert created.json()["url"] == f"{fake.api_url}/repos/{REPO}/git/refs/prpilot/ledger"
    again = call(fake, "POST", f"/repos/{REPO}/git/refs", json={"ref": "refs/prpilot/ledger", "sha": main})
    assert (again.status_code, again.json()["message"]) == (422, "Reference already exists")
    assert call(fake, "GET", f"/repos/{REPO}/git/ref/prpilot/ledger").json()["object"]["sha"] == main


def test_non_fast_forward_needs_force(fake: FakeGitHub) -> None:
    old = fake.ref(REPO, "main")
    new = fake.commit(REPO, "main", {"b.txt": "b\n"})
    back = call(fake, "PATCH", f"/repos/{REPO}/git/refs/heads/main", json={"sha": old})
    assert (back.status_code, back.json()["message"]) == (422, "Update is not a fast forward")
    assert fake.ref(REPO, "main") == new
    forced = call(fake, "PATCH", f"/repos/{REPO}/git/refs/heads/main", json={"sha": old, "force": True})
    assert forced.status_code == 200
    assert fake.ref(REPO, "main") == old


def test_create_tree_with_base_tree_nested_paths_and_deletion(fake: FakeGitHub) -> None:
    base = call(fake, "GET", f"/repos/{REPO}/git/commits/{fake.ref(REPO, 'main')}").json()["tree"]["sha"]
    tree = call(fake, "POST", f"/repos/{REPO}/git/trees", json={"base_tree": base, "tree": [
        {"path": "a/b/c.json", "mode": "100644", "type": "blob", "content": "{}\n"},
        {"path": "src/app.py", "mode": "100644", "type": "blob", "sha": None},
    ]}).json()
    assert sorted(e["path"] for e in tree["tree"]) == ["README.md", "a"]
    commit = call(fake, "POST", f"/repos/{REPO}/git/commits",
                  json={"message": "m", "tree": tree["sha"], "parents": [fake.ref(REPO, "main")]}).json()
    fake.git(REPO, "update-ref", "refs/heads/tree-test", commit["sha"])
    assert fake.read_file(REPO, "a/b/c.json", "tree-test") == "{}\n"
    assert fake.read_file(REPO, "src/app.py", "tree-test") is None


def test_contents_by_ref_missing_and_update_rules(fake: FakeGitHub) -> None:
    fake.commit(REPO, "other", {"README.md": "other\n"})
    got = call(fake, "GET", f"/repos/{REPO}/contents/README.md", params={"ref": "other"}).json()
    assert base64.b64decode(got["content"]) == b"other\n"
    assert call(fake, "GET", f"/repos/{REPO}/contents/nope.md").status_code == 404
    put = {"message": "m", "content": base64.b64encode(b"new").decode()}
    assert call(fake, "PUT", f"/repos/{REPO}/contents/README.md", json=put).status_code == 422  # no sha
    wrong = call(fake, "PUT", f"/repos/{REPO}/contents/README.md", json={**put, "sha": "0" * 40})
    assert wrong.status_code == 409


def test_pull_request_rules(fake: FakeGitHub) -> None:
    gh = Github(auth=Auth.Token(fake.token), base_url=fake.api_url, seconds_between_requests=0,
                seconds_between_writes=0)
    repo = gh.get_repo(REPO)
    fake.git(REPO, "branch", "empty", "main")
    with pytest.raises(GithubException) as no_commits:
        repo.create_pull(title="t", body="", head="empty", base="main")
    assert no_commits.value.status == 422
    with pytest.raises(GithubException) as missing:
        repo.create_pull(title="t", body="", head="ghost", base="main")
    assert missing.value.status == 422
    fake.commit(REPO, "feat", {"f.txt": "f\n"})
    pr = repo.create_pull(title="t", body="b", head="feat", base="main")
    with pytest.raises(GithubException) as dup:
        repo.create_pull(title="t", body="", head="feat", base="main")
    assert dup.value.status == 422
    assert "A pull request already exists for octo:feat." in str(dup.value)
    assert [p.number for p in repo.get_pulls(head="octo:feat")] == [pr.number]
    assert list(repo.get_pulls(head="octo:other")) == []
    assert list(repo.get_pulls(state="closed")) == []
    pushed = fake.commit(REPO, "feat", {"g.txt": "g\n"})
    again = repo.get_pull(pr.number)
    assert again.head.sha == pushed
    assert sorted(f.filename for f in again.get_files()) == ["f.txt", "g.txt"]
    issue = call(fake, "GET", f"/repos/{REPO}/issues/{pr.number}").json()
    assert issue["pull_request"]["url"] == f"{fake.api_url}/repos/{REPO}/pulls/{pr.number}"


def test_actions_may_not_create_pull_requests_when_the_repository_says_so(fake: FakeGitHub) -> None:
    fake.commit(REPO, "feat", {"f.txt": "f\n"})
    fake.allow_actions_to_create_pull_requests(REPO, False)
    pull = {"title": "t", "head": "feat", "base": "main"}

    denied = call(fake, "POST", f"/repos/{REPO}/pulls", json=pull)

    assert (denied.status_code, denied.json()) == (403, {
        "message": "GitHub Actions is not permitted to create or approve pull requests.",
        "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
    })
    assert fake.pulls(REPO) == []
    # The setting binds the workflow's token only: a person's token still opens the pull request.
    fake.set_permission(REPO, "alice", "write")
    assert call(fake, "POST", f"/repos/{REPO}/pulls", token=fake.issue_token("alice"), json=pull).status_code == 201
    fake.allow_actions_to_create_pull_requests(REPO, True)
    fake.commit(REPO, "feat2", {"g.txt": "g\n"})
    assert call(fake, "POST", f"/repos/{REPO}/pulls", json={**pull, "head": "feat2"}).status_code == 201


def test_pull_request_from_a_fork(fake: FakeGitHub) -> None:
    fake.add_repo("contrib/proj", fork_of=REPO)
    fake.commit("contrib/proj", "fix", {"fix.txt": "fixed\n"})
    reply = call(fake, "POST", f"/repos/{REPO}/pulls", json={"title": "t", "head": "contrib:fix", "base": "main"})
    assert reply.status_code == 201
    pr = reply.json()
    assert (pr["head"]["repo"]["full_name"], pr["head"]["repo"]["fork"]) == ("contrib/proj", True)
    assert pr["head"]["label"] == "contrib:fix"
    files = call(fake, "GET", f"/repos/{REPO}/pulls/{pr['number']}/files").json()
    assert [f["filename"] for f in files] == ["fix.txt"]
    listed = call(fake, "GET", f"/repos/{REPO}/pulls", params={"head": "contrib:fix"}).json()
    assert [p["number"] for p in listed] == [pr["number"]]


def test_reactions_are_idempotent_per_user_and_content(fake: FakeGitHub) -> None:
    number = fake.add_issue(REPO, "Bug")
    comment = fake.add_comment(REPO, number, "/pilot go")
    path = f"/repos/{REPO}/issues/comments/{comment}/reactions"
    assert call(fake, "POST", path, json={"content": "eyes"}).status_code == 201
    assert call(fake, "POST", path, json={"content": "eyes"}).status_code == 200
    assert call(fake, "POST", path, json={"content": "rocket"}).status_code == 201
    assert call(fake, "POST", path, json={"content": "nope"}).status_code == 422
    assert [r.content for r in fake.reactions(comment_id=comment)] == ["eyes", "rocket"]


def test_collaborator_permission_levels(fake: FakeGitHub) -> None:
    fake.set_permission(REPO, "mia", "maintain")
    got = call(fake, "GET", f"/repos/{REPO}/collaborators/mia/permission").json()
    assert (got["permission"], got["role_name"]) == ("write", "maintain")
    assert call(fake, "GET", f"/repos/{REPO}/collaborators/octo/permission").json()["permission"] == "admin"
    assert call(fake, "GET", f"/repos/{REPO}/collaborators/ghost/permission").status_code == 404


def test_dispatch_is_recorded_and_runs_can_be_cancelled_once(fake: FakeGitHub) -> None:
    sent = call(fake, "POST", f"/repos/{REPO}/actions/workflows/pilot.yml/dispatches",
                json={"ref": "main", "inputs": {"task": "t-9"}})
    assert sent.status_code == 204
    (dispatch,) = fake.dispatches
    assert (dispatch.workflow_id, dispatch.ref, dispatch.inputs) == ("pilot.yml", "main", {"task": "t-9"})
    cancel = f"/repos/{REPO}/actions/runs/{dispatch.run_id}/cancel"
    assert call(fake, "POST", cancel).status_code == 202
    assert call(fake, "POST", cancel).status_code == 409
    assert fake.runs(REPO)[0].conclusion == "cancelled"
    assert call(fake, "GET", f"/repos/{REPO}/actions/variables/MISSING").status_code == 404


def test_private_repo_is_hidden_from_users_without_access(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("octo/secret", private=True)
    stranger = fake_github.issue_token("stranger")
    assert call(fake_github, "GET", "/repos/octo/secret", token=stranger).status_code == 404
    assert call(fake_github, "GET", "/repos/octo/secret").status_code == 200


def test_pull_request_counts_agree_with_its_files(fake: FakeGitHub) -> None:
    fake.commit(REPO, "main", {"notes.txt": "one\ntwo\nthree\n"}, "base moves on")  # not part of the pull
    fake.git(REPO, "branch", "counted", "main~1")
    fake.commit(REPO, "counted", {"src/app.py": "x = 2\ny = 3\n", "docs/new.md": "# new\n\nmore\n"})
    fake.commit(REPO, "counted", {"README.md": "# proj\n\nSee docs.\n"}, "second commit")

    pr = call(fake, "POST", f"/repos/{REPO}/pulls", json={"title": "t", "head": "counted", "base": "main"}).json()
    files = call(fake, "GET", f"/repos/{REPO}/pulls/{pr['number']}/files").json()

    assert pr["changed_files"] == len(files) == 3
    assert pr["additions"] == sum(f["additions"] for f in files) == 7
    assert pr["deletions"] == sum(f["deletions"] for f in files) == 1
    assert pr["commits"] == 2


def _listed_refs(fake: FakeGitHub) -> dict[str, str]:
    """What a git client sees (actions/checkout fetches refs/pull/N/merge): listing refs refreshes merges."""
    out = subprocess.run(["git", "ls-remote", fake.clone_url(REPO, fake.token)], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return {ref: sha for sha, ref in (line.split("\t") for line in out.splitlines())}


def test_pull_requests_have_a_merge_ref_unless_they_conflict(fake: FakeGitHub) -> None:
    fake.commit(REPO, "clean", {"new.txt": "new\n"})
    clean = call(fake, "POST", f"/repos/{REPO}/pulls", json={"title": "t", "head": "clean", "base": "main"}).json()
    merge = _listed_refs(fake)[f"refs/pull/{clean['number']}/merge"]
    parents = fake.git(REPO, "rev-list", "--parents", "-n", "1", merge).split()[1:]
    assert parents == [fake.ref(REPO, "refs/heads/main"), fake.ref(REPO, "refs/heads/clean")]
    assert fake.read_file(REPO, "new.txt", ref=merge) == "new\n"

    pushed = fake.commit(REPO, "clean", {"more.txt": "more\n"})
    moved = fake.commit(REPO, "main", {"main.txt": "main moved\n"})
    again = _listed_refs(fake)[f"refs/pull/{clean['number']}/merge"]  # follows the head and the base
    assert fake.git(REPO, "rev-list", "--parents", "-n", "1", again).split()[1:] == [moved, pushed]

    fake.commit(REPO, "clash", {"README.md": "# theirs\n"})
    fake.commit(REPO, "main", {"README.md": "# ours\n"})
    clash = fake.add_pull(REPO, head="clash")
    assert f"refs/pull/{clash}/merge" not in _listed_refs(fake)
