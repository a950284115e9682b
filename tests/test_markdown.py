"""Trainer Markdown is sanitised: classic XSS payloads come out inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "`<script>alert(1)</script>`",
    "<scr<script>ipt>alert(1)</script>",
    "<<img src=x onerror=alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
]

SAFE_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "del",
    "s",
}


class _Elements(HTMLParser):
    """Collects every real element and attribute in a fragment (escaped text is not one)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, attrs))


def dangers(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in SAFE_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                problems.append(f"attribute {name}")
            if name in ("href", "src") and value:
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                if scheme and scheme not in ("http", "https", "mailto"):
                    problems.append(f"{name}={value}")
    return problems


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_neutralised(payload):
    html = str(render_markdown(f"Intro\n\n{payload}\n\nOutro"))
    assert dangers(html) == [], html
    assert "Intro" in html and "Outro" in html


def test_ordinary_markdown_survives():
    html = str(
        render_markdown(
            "# Title\n\n**bold** and [a link](https://example.test/page)"
            " and ![alt](/static/x.png)\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n> **Note:** remember this\n"
        )
    )
    assert "<h1>Title</h1>" in html
    assert (
        '<a href="https://example.test/page" rel="noopener noreferrer nofollow">a link</a>' in html
    )
    assert '<img src="/static/x.png" alt="alt">' in html
    assert "<table" in html and "<td>2</td>" in html
    assert 'class="callout callout-note' in html


@pytest.mark.parametrize(
    ("label", "kind"), [("Tip", "tip"), ("مشورہ", "tip"), ("नोट", "note"), ("انتباہ", "warning")]
)
def test_callouts_are_recognised_in_every_ui_language(label, kind):
    html = str(render_markdown(f"> **{label}:** keep it short"))
    assert f'class="callout callout-{kind}' in html
