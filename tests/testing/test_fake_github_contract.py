"""Every REST operation of the contract, driven through PyGithub and raw HTTP, validates against GitHub's schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import requests

from github import Auth, Github, InputGitTreeElement
from prpilot.testing.github import FakeGitHub
from prpilot.testing.github.contract import OperationIndex

REPO = "octo/proj"


def client(fake: FakeGitHub, token: str, lazy: bool = False) -> Github:
    return Github(auth=Auth.Token(token), base_url=fake.api_url, seconds_between_requests=0,
                  seconds_between_writes=0, lazy=lazy)


def raw(fake: FakeGitHub, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, fake.api_url + path, headers={"Authorization": f"token {token}"},
                            timeout=10, **kwargs)


def exercise(fake: FakeGitHub) -> None:
    """Call every contract operation at least once with a successful outcome."""
    fake.add_repo(REPO, files={"README.md": "# proj\n", "src/app.py": "print('hi')\n"})
    fake.add_user("alice")
    fake.set_permission(REPO, "alice", "write")
    alice = fake.issue_token("alice")
    gh, gh_alice = client(fake, fake.token), client(fake, alice)

    assert gh_alice.get_user().login == "alice"  # users/get-authenticated
    repo = gh.get_repo(REPO)  # repos/get
    assert repo.get_branch("main").protected is False  # repos/get-branch
    assert repo.get_contents("README.md", ref="main").decoded_content == b"# proj\n"  # type: ignore[union-attr]
    assert [c.path for c in repo.get_contents("src")] == ["src/app.py"]  # type: ignore[union-attr]
    created = repo.create_file("docs/new.md", "add docs", "v1", branch="main")  # 201
    repo.update_file("docs/new.md", "edit docs", "v2", created["content"].sha, branch="main")  # 200
    assert gh.get_repo(REPO).get_collaborator_permission("alice") == "write"

    # git data: blob -> tree (nested path, base_tree) -> commit -> ref -> update
    blob = repo.create_git_blob("{\"n\": 1}\n", "utf-8")
    parent = repo.get_git_commit(repo.get_branch("main").commit.sha)
    tree = repo.create_git_tree([InputGitTreeElement("a/b/c.json", "100644", "blob", sha=blob.sha)],
                                base_tree=parent.tree)
    assert {e.path for e in tree.tree} == {"README.md", "src", "docs", "a"}
    commit = repo.create_git_commit("add c.json", tree, [parent])
    ref = repo.create_git_ref("refs/heads/feature", parent.sha)
    ref.edit(commit.sha)
    assert repo.get_git_ref("heads/feature").object.sha == commit.sha
    repo.create_git_ref("refs/prpilot/ledger", commit.sha)
    assert repo.get_git_ref("prpilot/ledger").object.sha == commit.sha

    # pulls
    pr = repo.create_pull(title="Add c.json", body="body", head="feature", base="main")
    assert [p.number for p in repo.get_pulls(state="open", head="octo:feature", base="main")] == [pr.number]
    assert repo.get_pull(pr.number).changed_files == 1
    assert [f.filename for f in pr.get_files()] == ["a/b/c.json"]
    pr.create_review_request(reviewers=["alice"])
    review_id = fake.add_review_comment(REPO, pr.number, "nit", user="alice", path="a/b/c.json")
    pr.create_review_comment_reply(review_id, "/pilot fix the nit")
    assert [c.body for c in pr.get_review_comments()] == ["nit", "/pilot fix the nit"]  # before any review
    assert raw(fake, "POST", f"/repos/{REPO}/pulls/comments/{review_id}/reactions", fake.token,
               json={"content": "eyes"}).status_code == 201
    assert "pull_request" in raw(fake, "GET", f"/repos/{REPO}/issues/{pr.number}", fake.token).json()

    # reviews: a pending review with an inline comment, edited, submitted; another deleted while pending
    base = f"/repos/{REPO}/pulls/{pr.number}/reviews"
    pending = raw(fake, "POST", base, fake.token, json={
        "body": "draft", "comments": [{"path": "a/b/c.json", "line": 1, "side": "RIGHT", "body": "why?"}]}).json()
    assert pending["state"] == "PENDING"
    assert raw(fake, "PUT", f"{base}/{pending['id']}", fake.token, json={"body": "summary"}).status_code == 200
    submitted = raw(fake, "POST", f"{base}/{pending['id']}/events", fake.token, json={"event": "COMMENT"}).json()
    assert (submitted["state"], submitted["body"]) == ("COMMENTED", "summary")
    assert [r["id"] for r in raw(fake, "GET", base, fake.token).json()] == [pending["id"]]
    assert raw(fake, "GET", f"{base}/{pending['id']}", fake.token).json()["state"] == "COMMENTED"
    [inline] = raw(fake, "GET", f"{base}/{pending['id']}/comments", fake.token).json()
    assert (inline["path"], inline["line"], inline["pull_request_review_id"]) == ("a/b/c.json", 1, pending["id"])
    dropped = raw(fake, "POST", base, fake.token, json={}).json()
    assert raw(fake, "DELETE", f"{base}/{dropped['id']}", fake.token).json()["state"] == "PENDING"

    # issues, comments, labels, reactions
    number = fake.add_issue(REPO, "Bug", "please fix", user="alice")
    issue = repo.get_issue(number)
    comment = issue.create_comment("/pilot fix it")
    assert [c.id for c in issue.get_comments()] == [comment.id]
    issue.get_comment(comment.id).edit("/pilot fix it now")
    issue.add_to_labels("pilot", "bug")
    assert issue.create_reaction("rocket").content == "rocket"
    assert raw(fake, "POST", f"/repos/{REPO}/issues/{number}/reactions", fake.token,
               json={"content": "rocket"}).status_code == 200  # same user, same content
    comment.create_reaction("eyes")

    # actions
    # lazy: PyGithub would otherwise GET the workflow first, an operation outside the contract
    client(fake, fake.token, lazy=True).get_repo(REPO).get_workflow("pilot.yml").create_dispatch(
        ref="main", inputs={"task": "t-1"})
    details = raw(fake, "POST", f"/repos/{REPO}/actions/workflows/pilot.yml/dispatches", fake.token,
                  json={"ref": "main", "inputs": {}, "return_run_details": True})
    assert details.status_code == 200
    runs = list(repo.get_workflow_runs())
    assert len(runs) == 2
    assert runs[0].cancel()
    fake.set_variable(REPO, "PRPILOT_MODEL", "gpt-x")
    assert repo.get_variable("PRPILOT_MODEL").value == "gpt-x"
    assert [v.name for v in repo.get_variables()] == ["PRPILOT_MODEL"]


def test_every_operation_validates_against_the_contract(
    fake_github: FakeGitHub, github_contract: dict[str, Any]
) -> None:
    exercise(fake_github)
    index = OperationIndex(github_contract["operations"])
    seen: set[str] = set()
    problems: list[str] = []
    for r in fake_github.rest():
        op_id = index.match(r.method, r.path)
        assert op_id is not None, f"fake answered an operation outside the contract: {r.method} {r.path}"
        responses = github_contract["operations"][op_id]["responses"]
        if str(r.status) not in responses:
            continue  # an error reply; errors are checked elsewhere
        seen.add(op_id)
        schema = responses[str(r.status)].get("schema")
        if schema is None:
            assert r.response is None, f"{op_id} {r.status} should have no body"
            continue
        try:
            jsonschema.validate(r.response, dict(schema, components=github_contract["components"]))
        except jsonschema.ValidationError as exc:
            problems.append(f"{op_id} {r.status}: {exc.message} at {list(exc.absolute_path)}")
    assert problems == []
    assert sorted(set(index.ids()) - seen) == []


def test_urls_point_at_the_fake_never_at_github_com(fake_github: FakeGitHub) -> None:
    exercise(fake_github)
    for r in fake_github.rest():
        assert "github.com" not in str(r.response).replace("docs.github.com", "")


def test_every_contract_operation_has_a_route(github_contract: dict[str, Any]) -> None:
    from prpilot.testing.github.server import ROUTER

    missing = [op_id for op_id, op in github_contract["operations"].items()
               if ROUTER.match(op["method"].upper(), op["path"].replace("{", "x").replace("}", "")) is None]
    assert missing == []


@pytest.mark.parametrize(("method", "path"), [("GET", "/repos/octo/proj/git/trees/abc"), ("DELETE", "/user")])
def test_unknown_routes_answer_404_not_found(fake_github: FakeGitHub, method: str, path: str) -> None:
    fake_github.add_repo(REPO)
    reply = raw(fake_github, method, path, fake_github.token)
    assert reply.status_code == 404
    assert reply.json()["message"] == "Not Found"
    assert "documentation_url" in reply.json()
