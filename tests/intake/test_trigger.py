"""Trigger parsing: where ``/pilot`` starts a request and where it does not."""

from __future__ import annotations

import pytest

from prpilot.intake.trigger import after_trigger, find_request, split_lines


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("/pilot fix the typo", "fix the typo", id="alone-on-line"),
        pytest.param("/pilot", "", id="trigger-alone"),
        pytest.param("/pilot   \n  ", "", id="trigger-then-blanks"),
        pytest.param("/pilot\tfix it", "fix it", id="tab-after-trigger"),
        pytest.param("   /pilot fix it", "fix it", id="three-leading-spaces"),
        pytest.param("/Pilot fix it", "fix it", id="case-insensitive"),
        pytest.param("/pilotfoo fix it", None, id="longer-word"),
        pytest.param("/pilot: fix it", None, id="punctuation-after"),
        pytest.param("please /pilot fix it", None, id="text-before-on-line"),
        pytest.param("`/pilot fix it`", None, id="inline-code"),
        pytest.param("no trigger here", None, id="none"),
        pytest.param("", None, id="empty-body"),
        pytest.param("Thanks!\n/pilot fix it", "fix it", id="second-line"),
        pytest.param("Thanks!\n\n  /pilot fix it\n", "fix it", id="after-paragraph-with-indent"),
        pytest.param(
            "/pilot fix it\nand add a test\n\n- also docs", "fix it\nand add a test\n\n- also docs", id="multi-line"
        ),
        pytest.param("/pilot\nfix it\nplease", "fix it\nplease", id="request-on-following-lines"),
        pytest.param("/pilot fix it\r\nand test\r\n", "fix it\nand test", id="crlf"),
        pytest.param("hello\r/pilot fix it\rnow", "fix it\nnow", id="bare-cr"),
        pytest.param("/pilot one\n/pilot two", "one\n/pilot two", id="first-trigger-wins"),
        pytest.param("> /pilot fix it", None, id="quoted"),
        pytest.param(">/pilot fix it", None, id="quoted-no-space"),
        pytest.param("> > /pilot fix it", None, id="nested-quote"),
        pytest.param("> earlier words\n/pilot fix it", None, id="lazy-quote-continuation"),
        pytest.param("> earlier words\n\n/pilot fix it", "fix it", id="after-quote-and-blank"),
        pytest.param(">\n/pilot fix it", "fix it", id="after-empty-quote-line"),
        pytest.param("> /pilot old\n\n/pilot new", "new", id="quoted-then-real"),
        pytest.param("```\n/pilot fix it\n```", None, id="backtick-fence"),
        pytest.param("~~~\n/pilot fix it\n~~~", None, id="tilde-fence"),
        pytest.param("```python\n/pilot fix it\n```", None, id="fence-with-info"),
        pytest.param("```\n/pilot fix it", None, id="unclosed-fence"),
        pytest.param("````\n```\n/pilot fix it\n````", None, id="longer-fence-not-closed-by-shorter"),
        pytest.param("~~~\n```\n/pilot fix it\n~~~", None, id="other-fence-char-does-not-close"),
        pytest.param("```\ncode\n```\n/pilot fix it", "fix it", id="after-closed-fence"),
        pytest.param("```js\ncode\n```   \n/pilot fix it", "fix it", id="closing-fence-trailing-space"),
        pytest.param("```not`a fence```\n/pilot fix it", "fix it", id="inline-triple-backticks"),
        pytest.param("    /pilot fix it", None, id="indented-code-at-start"),
        pytest.param("text\n\n    /pilot fix it", None, id="indented-code-after-blank"),
        pytest.param("\t/pilot fix it", None, id="tab-indented-code"),
        pytest.param("    code\n\n    /pilot fix it", None, id="indented-code-spans-blank-lines"),
        pytest.param("    code\n/pilot fix it", "fix it", id="after-indented-code"),
        pytest.param("text\n    /pilot fix it", "fix it", id="indented-paragraph-continuation"),
        pytest.param("<!--\n/pilot fix it\n-->", None, id="html-comment"),
        pytest.param("<!-- hidden -->\n/pilot fix it", "fix it", id="after-one-line-html-comment"),
        pytest.param("- /pilot fix it", None, id="list-item"),
        pytest.param("/pilot fix\n```\ncode\n```", "fix\n```\ncode\n```", id="request-keeps-code"),
        pytest.param("/pilot naïve café 修正してください", "naïve café 修正してください", id="unicode"),
    ],
)
def test_find_request(body: str, expected: str | None) -> None:
    assert find_request(body, "/pilot") == expected


@pytest.mark.parametrize(
    ("body", "trigger", "expected"),
    [
        ("@prpilot do it", "@prpilot", "do it"),
        ("@PRPilot do it", "@prpilot", "do it"),
        ("/pilot do it", "@prpilot", None),
        ("/pilot do it", "", None),
    ],
)
def test_find_request_other_triggers(body: str, trigger: str, expected: str | None) -> None:
    assert find_request(body, trigger) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("/pilot", ""), ("/pilot x", " x"), ("/pilotx", None), ("/pil", None), ("x /pilot", None)],
)
def test_after_trigger(text: str, expected: str | None) -> None:
    assert after_trigger(text, "/pilot") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a\r\nb", ["a", "b"]), ("a\rb", ["a", "b"]), ("a\nb\n", ["a", "b", ""]), ("a\u2028b", ["a\u2028b"])],
)
def test_split_lines(text: str, expected: list[str]) -> None:
    assert split_lines(text) == expected


def test_find_request_on_a_huge_body_is_fast() -> None:
    body = ("> quoted line\n" * 50_000) + "\n/pilot finally"
    assert find_request(body, "/pilot") == "finally"
