"""Public XSS vectors saved through the app run nowhere once Chromium shows them.

Vectors go in through the real save paths (page bodies, titles, edit summaries, display
names, wiki-link targets) and come out on every page that shows them. Chromium is the
oracle: no dialog opened, no sentinel set, and a walk over the live DOM finds nothing in user
content beyond what the sanitiser promises, and every name, title and summary shown as the
very text that was typed. The main test strips the Content-Security-Policy on the way in, so
it proves the sanitiser and the templates alone; the other keeps the policy and checks that it
is sent and never has to block a script.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, Route

from tests.helpers import PASSWORD, find_xss_dir
from wiki.accounts.models import User
from wiki.accounts.services import find_user
from wiki.extensions import db
from wiki.pages import services

XSS_DIR = find_xss_dir()
SEED = 20261125  # a fixed seed: the sample is the same on every run and every machine
VECTORS_PER_PAGE = 20
DIFF_PAGES = 3
SAMPLE_SIZES = {"owasp": 100, "payloadsallthethings": 200, "dompurify": 60}
FIELD_VECTORS = {"titles": 40, "summaries": 40, "names": 30, "wikilinks": 40}

# Every literal alert( also sets a sentinel, so a vector that runs is seen even if the dialog
# trap is bypassed (a fresh frame has its own alert); the call itself is kept.
ARMED_ALERT = "(top.__pwned=1,alert)("

# A display name for the person browsing: it is in the header of every page they load.
VIEWER_NAME = "\"'><img src=x onerror=alert(1)><script>alert(2)</script>"

# Vectors that only make sense in Markdown, the wiki's own input language.
MARKDOWN_VECTORS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;&#x61;vascript:alert(1))",
    "[a](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
    "&#0000116&#0000058alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](java&Tab;script:alert(1))",
    "[a](java&NewLine;script:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](<java script:alert(1)>)",
    "[a](\x01javascript:alert(1))",
    "[a]( javascript:alert(1) )",
    "[a](javascript://%0Aalert(1))",
    "[a](javascript:/**/alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](livescript:alert(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
    "[a](//evil.example/)",
    "[a](\\\\evil.example/)",
    '[a](https://example.invalid/" onmouseover="alert(1))',
    '[a](https://example.invalid/ "t\\" onmouseover=\\"alert(1)")',
    "![a](javascript:alert(1))",
    "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '![a" onerror="alert(1)](/static/favicon.svg)',
    "![<img src=x onerror=alert(1)>](/static/favicon.svg)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    '<https://example.invalid/"onmouseover="alert(1)>',
    "[ref1][r1] and [ref2][r2]\n\n[r1]: javascript:alert(1)\n[r2]: <java\tscript:alert(1)>",
    '[[javascript:alert(1)]] [[x|javascript:alert(1)]] [[" onmouseover="alert(1)]]',
    "[[<img src=x onerror=alert(1)>]] [[Safe|<script>alert(1)</script>]]",
    "[<img src=x onerror=alert(1)>](https://example.invalid/)",
    "[[Link in [link](javascript:alert(1))]]",
    "[x [[Nested]]](javascript:alert(1))",
    '# <img src=x onerror=alert(1)>\n\n## " onclick="alert(1)\n\n### <script>alert(1)</script>',
    "`<script>alert(1)</script>` and ``<img src=x onerror=alert(1)>``",
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\nx\n```',
    '- [ ] <img src=x onerror=alert(1)>\n- [x] " onclick="alert(1)\n'
    "- [ ]\t<script>alert(1)</script>",
    "Note[^<img src=x onerror=alert(1)>].\n\n"
    "[^<img src=x onerror=alert(1)>]: <script>alert(1)</script>",
    "| <script>alert(1)</script> | b |\n|:-:|--:|\n"
    "| [x](javascript:alert(1)) | <svg onload=alert(1)> |",
    '<a hx-get="/-/logout" hx-trigger="load" data-hx-post="/x">htmx gadget</a>',
    "<div hx-post=/-/logout hx-trigger=load>x</div> <b id=csrf_token name=q>clobber</b>",
]

URL_ATTR_RE = re.compile(
    r"""(?is)(?:href|src|action|formaction|xlink:href|data|background|dynsrc|lowsrc|poster|"""
    r"""values|to|from)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"""
)
SCHEME_URL_RE = re.compile(r"(?i)(?:java|vb|live)script\s*:[^\s\"'<>]*|data\s*:[^\s\"'<>]+")
FENCE_RE = re.compile(r"```|~~~")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOT_IN_WIKILINK_RE = re.compile(r"[\[\]|\n]")

# What may appear inside user content, written out here (not imported from the sanitiser), so a
# mistake that widens the sanitiser's allow-list makes this test fail.
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class", "rel", "id"],  # id: a footnote reference's back-target
    "img": ["src", "alt", "title", "width", "height"],
    "th": ["class"],
    "td": ["class"],
    "ol": ["start", "class"],
    "ul": ["class"],
    "li": ["class", "id"],
    # A read-only task box is named by its task (escaped, from the text beside it).
    "input": ["type", "checked", "disabled", "class", "aria-label"],
    "code": ["class"],
    "sup": ["class"],
    "hr": ["class"],
    "section": ["class"],
    "abbr": ["title"],
    "details": ["open"],
    "h1": ["id"],
    "h2": ["id"],
    "h3": ["id"],
    "h4": ["id"],
    "h5": ["id"],
    "h6": ["id"],
    # Added by the app after sanitising: tick buttons and the table of contents.
    "button": ["type", "form", "name", "value", "class", "aria-pressed", "aria-label", "id"],
    "nav": ["class", "aria-label"],
    **{
        tag: []
        for tag in (
            "p br strong em b i s del ins pre kbd samp sub mark blockquote dl dt dd table "
            "thead tbody tfoot tr caption span div figure figcaption summary"
        ).split()
    },
}

DOM_CHECK = """
([origin, allowed]) => {
  const problems = [];
  const short = (s) => String(s).slice(0, 100);
  const html = (el) => short(el.outerHTML);
  const bannedElements = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed',
    'base', 'meta', 'form', 'svg', 'math', 'link', 'style', 'template', 'noscript', 'applet',
    'portal', 'textarea', 'select', 'video', 'audio', 'source', 'param', 'xmp', 'noembed']);
  const protocolOf = (url) => {
    // A URL the browser cannot parse goes nowhere, unless it shows a scheme.
    try { return new URL(url).protocol; } catch (e) {
      return (String(url).replace(/[\\u0000-\\u0020]/g, '').match(/^[a-z][a-z0-9+.-]*:/i)
        || ['invalid:'])[0].toLowerCase();
    }
  };
  const scopes = document.querySelectorAll('.user-content, .toc-wrap');
  for (const scope of scopes) {
    for (const el of scope.querySelectorAll('*')) {
      const tag = el.localName;
      if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml' || bannedElements.has(tag)) {
        problems.push(`forbidden element in user content: ${html(el)}`);
      } else if (!(tag in allowed)) {
        problems.push(`element not on the allow-list in user content: ${html(el)}`);
      }
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        if (name.startsWith('on')) problems.push(`event handler in user content: ${html(el)}`);
        else if (name.includes('hx-')) problems.push(`htmx attribute in user content: ${html(el)}`);
        else if (name === 'style' || name.startsWith('data-') || name.includes(':'))
          problems.push(`attribute ${name} in user content: ${html(el)}`);
        else if (name === 'aria-hidden' && el.parentElement.matches('button.task-toggle'))
          continue;  // the tick button's own icon
        else if (!(allowed[tag] || []).includes(name))
          problems.push(`attribute ${name} not allowed on <${tag}>: ${html(el)}`);
        else if (name === 'id' && !/^(h|fn)-/.test(attr.value)
                 && !(tag === 'button' && /^task-[0-9]+$/.test(attr.value)))
          problems.push(`id not made by the app: ${html(el)}`);
      }
      if (tag === 'a' && el.hasAttribute('href')) {
        const protocol = protocolOf(el.href);
        if (!['http:', 'https:', 'mailto:', 'invalid:'].includes(protocol))
          problems.push(`link resolves to ${protocol} ${short(el.href)}`);
      }
      if (tag === 'img' && el.hasAttribute('src')) {
        const protocol = protocolOf(el.src);
        const dataImage = protocol === 'data:' && /^data:image\\//i.test(el.src);
        if (!['http:', 'https:', 'invalid:'].includes(protocol) && !dataImage)
          problems.push(`image source resolves to ${protocol} ${short(el.src)}`);
      }
      if (tag === 'button' && !(el.className === 'task-toggle' && el.type === 'submit'
          && el.getAttribute('form') === 'task-form'))
        problems.push(`button not made by the app: ${html(el)}`);
      if (tag === 'input' && el.type !== 'checkbox')
        problems.push(`input that is not a checkbox: ${html(el)}`);
    }
  }
  // Text-only places outside user content: titles, names and summaries are never markup.
  const textOnly = [['.diff td', ['DEL', 'INS']], ['.search-results p', ['MARK']],
    ['.search-results a', ['MARK']], ['.changes .muted', []], ['main h1', ['SPAN']],
    ['a[href^="/-/people/"]', []], ['.site-nav a', []]];
  for (const [selector, tags] of textOnly) {
    for (const zone of document.querySelectorAll(selector)) {
      for (const el of zone.querySelectorAll('*')) {
        if (!tags.includes(el.tagName)) problems.push(`markup in ${selector}: ${html(el)}`);
      }
    }
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) problems.push(`event handler: ${html(el)}`);
      if (name === 'formaction') problems.push(`formaction: ${html(el)}`);
      // htmx's inline handlers; other hx- attributes in text places are caught above.
      if (/^(data-)?hx-on/.test(name)) problems.push(`htmx handler: ${html(el)}`);
    }
  }
  for (const el of document.querySelectorAll(
      'iframe, frame, frameset, object, embed, base, applet, portal, style, body meta, body link'))
    problems.push(`forbidden element: ${html(el)}`);
  for (const script of document.scripts) {
    const src = script.src ? new URL(script.src) : null;
    if (!src || src.origin !== origin || !src.pathname.startsWith('/static/'))
      problems.push(`script not from the app: ${html(script)}`);
  }
  for (const form of document.forms) {
    // getAttribute: the editor's own <button name="action"> shadows form.action.
    const action = new URL(form.getAttribute('action') || '', document.baseURI);
    if (action.origin !== origin) problems.push(`form posting elsewhere: ${html(form)}`);
  }
  for (const el of document.querySelectorAll('a[href], area[href]')) {
    const protocol = protocolOf(el.href);
    if (!['http:', 'https:', 'mailto:', 'invalid:'].includes(protocol))
      problems.push(`link resolves to ${protocol} ${short(el.href)}`);
  }
  return problems;
}
"""

# Give anything that slipped through every chance to run (hover, focus, a few ticks), then
# walk the DOM and read back what the page shows.
INSPECT = (
    """
async ([origin, allowed, inputs]) => {
  for (const el of document.querySelectorAll('main *')) {
    for (const type of ['mouseover', 'mouseenter', 'pointerover', 'focus', 'animationstart'])
      el.dispatchEvent(new Event(type, {bubbles: type !== 'mouseenter'}));
  }
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 40)));
  const problems = ("""
    + DOM_CHECK
    + """)([origin, allowed]);
  const values = {};
  for (const selector of inputs) values[selector] = document.querySelector(selector)?.value;
  return {
    problems,
    dialogs: window.__dialogs || [],
    pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
    text: document.querySelector('main')?.textContent || '',
    title: document.title,
    navName: document.querySelector('.site-nav a[href="/-/account"]')?.textContent ?? null,
    hits: [...document.querySelectorAll('.search-results li > a')].map((a) => a.textContent),
    seen: Object.fromEntries(Object.entries({
      redLinks: '.user-content a.wikilink-new', links: '.user-content a[href^="http"]',
      images: '.user-content img', tickButtons: '.user-content button.task-toggle',
      contents: '.toc-wrap nav.toc a', footnotes: '.user-content .footnote-item',
      diffs: '.diff ins, .diff del',
    }).map(([name, selector]) => [name, document.querySelectorAll(selector).length])),
    values,
  };
}
"""
)

COVERAGE = ["redLinks", "links", "images", "tickButtons", "contents", "footnotes", "diffs"]

CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample}`));
"""


@dataclass
class Visit:
    """One page to load, and the text it must show exactly as typed."""

    path: str
    texts: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    results: bool = False
    public: bool = False  # also checked with the policy in place, not logged in


@dataclass
class Site:
    """The vectors saved through the app, and the pages that show them."""

    visits: list[Visit]
    titles: set[str]
    viewer_name: str
    editor_body: str
    vector_count: int


def _json(name: str) -> dict:
    return json.loads((XSS_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def _corpora() -> dict[str, list[str]]:
    rng = random.Random(SEED)
    owasp = [v["payload"] for v in _json("owasp-xss-filter-evasion.json")["vectors"]]
    dompurify = [c["payload"] for c in _json("dompurify-expect.json")["cases"]]
    lines = {
        line
        for path in sorted((XSS_DIR / "payloadsallthethings").glob("*.txt"))
        if path.name != "SOURCE.txt"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    return {
        "html5sec": [v["payload"] for v in _json("html5sec-vectors.json")["vectors"]],
        "owasp": rng.sample(owasp, min(SAMPLE_SIZES["owasp"], len(owasp))),
        "payloadsallthethings": rng.sample(sorted(lines), SAMPLE_SIZES["payloadsallthethings"]),
        "dompurify": rng.sample(dompurify, SAMPLE_SIZES["dompurify"]),
    }


@pytest.fixture
def corpora() -> dict[str, list[str]]:
    """Return a fixed sample of the public XSS corpora, or skip when they are not here."""
    if not (XSS_DIR / "html5sec-vectors.json").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"XSS corpora missing in CI: {XSS_DIR}")
        pytest.skip(f"XSS corpora not found in {XSS_DIR}: set CAMPWIKI_XSS_DIR to their folder")
    return _corpora()


def arm(vector: str) -> str:
    """Return the vector with every literal alert( also setting window.__pwned."""
    return vector.replace("alert(", ARMED_ALERT)


def one_line(vector: str) -> str:
    """Return the vector on one line, as a title, summary or name field keeps it."""
    return " ".join(vector.split())


def urls_in(vector: str) -> list[str]:
    """Return the URL-like parts of a vector, to try as Markdown link and image targets."""
    found = [next(g for g in m.groups() if g is not None) for m in URL_ATTR_RE.finditer(vector)]
    found += SCHEME_URL_RE.findall(vector)
    return list(dict.fromkeys(u for u in found if u.strip() and "\n" not in u))[:4]


def as_destination(url: str) -> str:
    """Return a Markdown link destination for ``url``, in angle brackets when it can be."""
    return f"<{url}>" if not re.search(r"[<>\n]", url) else url.replace(" ", "%20")


def markdown_for(n: int, vector: str) -> str:
    """Return Markdown that shows one vector as text and in one Markdown construct by turns.

    Every vector also becomes link and image targets when it holds something URL-like.
    """
    line = one_line(vector)
    parts = [] if FENCE_RE.search(vector) else [vector]  # an open fence swallows the page
    kind = n % 5
    if kind == 0:
        parts.insert(0, f"### V{n} {line}")  # headings make ids and a table of contents
    elif kind == 1:
        parts.append(f"- [ ] V{n} {line}")  # a task label becomes a tick button's name
    elif kind == 2:
        quoted = line.replace("\\", "\\\\").replace('"', '\\"')
        alt = line.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        parts.append(f'[t{n}](https://example.invalid/ "{quoted}") ![{alt}](/static/favicon.svg)')
    elif kind == 3:
        parts.append(f"Note{n}[^f{n}].\n\n[^f{n}]: {line}")
    elif label := NOT_IN_WIKILINK_RE.sub(" ", line)[:180].strip():
        parts.append(f"[[V{n} {label}]] and [[Venue|{label}]]")
    for url in urls_in(vector):
        destination = as_destination(url)
        parts.append(f"[u{n}]({destination}) ![i{n}]({destination}) <{url}>")
    return "\n\n".join(parts)


def chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def texts_from(vectors: Iterable[str], count: int, limit: int) -> list[str]:
    """Pick vectors usable as one-line text fields: no control characters, not too long."""
    picked = []
    for vector in vectors:
        text = one_line(vector)[:limit].strip()
        if text and not CONTROL_RE.search(text) and text not in picked:
            picked.append(text)
        if len(picked) == count:
            break
    return picked


def _mixed(corpora: dict[str, list[str]]) -> list[str]:
    """Return vectors from every corpus, interleaved, in a fixed order."""
    pools = [list(v) for v in corpora.values()]
    random.Random(SEED + 1).shuffle(pools[0])  # html5sec comes in id order; the rest sampled
    mixed = []
    while any(pools):
        for pool in pools:
            if pool:
                mixed.append(arm(pool.pop()))
    return mixed


@pytest.fixture
def xss_site(app, create_user, corpora) -> Site:
    """Save the sample through the real save paths and list the pages that show it."""
    viewer = create_user("viewer", display_name=VIEWER_NAME)
    body_vectors = [arm(v) for corpus in corpora.values() for v in corpus]
    mixed = _mixed(corpora)
    # Each field gets its own stretch of the mixed sample; the limits are the fields' own.
    titles = texts_from(mixed, FIELD_VECTORS["titles"], services.MAX_TITLE - 5)
    summaries = texts_from(mixed[120:], FIELD_VECTORS["summaries"], 300)
    names = texts_from(mixed[240:], FIELD_VECTORS["names"], 80)
    link_targets = [
        " ".join(NOT_IN_WIKILINK_RE.sub(" ", t).split())
        for t in texts_from(mixed[360:], FIELD_VECTORS["wikilinks"], 180)
    ]
    link_targets = [t for t in link_targets if t]
    assert [len(titles), len(summaries), len(names)] == [
        FIELD_VECTORS[f] for f in ("titles", "summaries", "names")
    ]
    assert len(link_targets) > FIELD_VECTORS["wikilinks"] // 2

    # Display names: most through the service, a few through the register and profile forms.
    people = [create_user(f"name{i:02d}", display_name=name) for i, name in enumerate(names[:-8])]
    for i, name in enumerate(names[-8:-4]):
        form_client = app.test_client()
        response = form_client.post(
            "/-/register",
            data={"username": f"form{i}", "display_name": name, "password": PASSWORD},
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    for i, name in enumerate(names[-4:]):
        create_user(f"prof{i}", display_name=f"Profile person {i}")
        form_client = app.test_client()
        form_client.post("/-/login", data={"username": f"prof{i}", "password": PASSWORD})
        response = form_client.post("/-/account", data={"display_name": name, "email": ""})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    visits: list[Visit] = []
    with app.test_request_context():
        author = db.session.get(User, viewer.id)
        people = [find_user(p.username) for p in people]
        people += [find_user(f"form{i}") for i in range(4)] + [
            find_user(f"prof{i}") for i in range(4)
        ]
        assert [p.display_name for p in people] == names

        # Bodies: every vector rendered on a page of its own batch.
        for k, batch in enumerate(chunks(body_vectors, VECTORS_PER_PAGE)):
            body = "\n\n".join(markdown_for(n, v) for n, v in enumerate(batch))
            slug = services.create_page(f"Body {k}", body, author, "Vectors").page.slug
            visits.append(Visit(f"/wiki/{slug}", public=True))
        # Diffs and old revisions: vectors as plain text, one batch replaced by another.
        for k in range(DIFF_PAGES):
            old, new = body_vectors[k * 40 : k * 40 + 20], body_vectors[k * 40 + 20 : k * 40 + 40]
            outcome = services.create_page(f"Diff {k}", "\n\n".join(old), author)
            services.save_page(
                outcome.page,
                outcome.page.title,
                "\n\n".join(new),
                author,
                "Replaced",
                base_revision_id=outcome.revision.id,
            )
            visits.append(Visit(f"/wiki/diff-{k}/-/diff?from=1&to=2", public=k == 0))
            visits.append(Visit(f"/wiki/diff-{k}/-/revisions/1"))
        markdown_body = "\n\n".join(arm(v) for v in MARKDOWN_VECTORS)
        services.create_page("Markdown vectors", markdown_body, author)
        visits += [Visit("/wiki/markdown-vectors", public=True)]

        # Wiki links to pages that do not exist: their titles reach the create form.
        services.create_page("Wanted", "\n\n".join(f"- [[{t}]]" for t in link_targets), author)
        missing = {}
        for target in link_targets:
            missing.setdefault(services.slug_for(target), target)
        visits.append(Visit("/-/wanted", public=True))
        for n, slug in enumerate(sorted(missing)[:5]):
            title = services.suggested_title(slug)
            visits.append(
                Visit(
                    f"/wiki/{slug}",
                    texts=[f"Create “{title}”"],
                    inputs={"#title": title},
                    public=n < 2,
                )
            )

        # Titles: each its own page; shown as headings, in lists and in search results.
        for n, title in enumerate(titles):
            services.create_page(f"T{n:02d} {title}", f"Title vector {n}.", author, "Title")
        titles = [f"T{n:02d} {t}" for n, t in enumerate(titles)]
        for title in titles[:8]:
            visits.append(Visit(f"/wiki/{services.slug_for(title)}", texts=[title], title=title))

        # Summaries: one page edited once per vector.
        page = services.create_page("Summaries", "Start.", author, "Begun").page
        for n, summary in enumerate(summaries):
            services.save_page(
                page,
                page.title,
                f"Edit {n}.",
                author,
                summary,
                base_revision_id=page.current_revision_id,
            )
        visits.append(Visit("/wiki/summaries/-/history", texts=summaries, public=True))
        for number in (2, 22):
            visits.append(
                Visit(
                    f"/wiki/summaries/-/diff?from={number - 1}&to={number}",
                    texts=[summaries[number - 2]],
                )
            )
            visits.append(
                Visit(f"/wiki/summaries/-/revisions/{number}", texts=[summaries[number - 2]])
            )

        # Display names: each person edits one page.
        page = services.create_page("Names", "Start.", author).page
        for n, person in enumerate(people):
            services.save_page(
                page,
                page.title,
                f"Name {n}.",
                person,
                "",
                base_revision_id=page.current_revision_id,
            )
        visits.append(Visit("/wiki/names/-/history", texts=names))
        visits += [
            Visit(
                f"/-/people/{p.username}/contributions",
                texts=[f"Contributions of {p.display_name}"],
            )
            for p in people[::10]
        ]
        db.session.commit()

    visits += [
        Visit("/-/pages", texts=titles, public=True),
        Visit("/-/people/viewer/contributions", texts=summaries),
    ]
    visits += [Visit(f"/-/recent?page={n}", public=n == 1) for n in (1, 2, 3)]
    for query in ["alert", "onerror", "javascript", "svg"]:
        visits.append(
            Visit(
                f"/-/search?q={query}", inputs={"#q": query}, results=True, public=query == "alert"
            )
        )
    for query in summaries[:1]:
        visits.append(Visit(f"/-/search?q={quote(query)}", inputs={"#q": query}))
    return Site(
        visits=visits,
        titles={*titles, "Markdown vectors", "Wanted", "Summaries", "Names"}
        | {f"Body {k}" for k in range(len(body_vectors) // VECTORS_PER_PAGE + 1)}
        | {f"Diff {k}" for k in range(DIFF_PAGES)},
        viewer_name=VIEWER_NAME,
        editor_body=markdown_body,
        vector_count=len(body_vectors)
        + len(MARKDOWN_VECTORS)
        + len(titles)
        + len(summaries)
        + len(names)
        + len(link_targets),
    )


@dataclass
class Browsing:
    """What one person's browser saw: documents with their policy header, and dialogs."""

    page: Page
    origin: str
    documents: list[tuple[str, str | None]] = field(default_factory=list)
    dialogs: list[tuple[str, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # what the pages held, to know we looked


def open_browser(new_page, origin: str, *, strip_csp: bool) -> Browsing:
    """Open a phone-sized page that records dialogs and each document's CSP header.

    With ``strip_csp`` the header is removed before Chromium sees it, so nothing but the
    sanitiser and the templates stand between a vector and the page.
    """
    page = new_page(width=360)
    seen = Browsing(page, origin)
    page.on("dialog", lambda dialog: seen.dialogs.append((dialog.type, dialog.message)))
    # User content may point at other hosts; never let the test reach the internet.
    page.context.route(lambda url: not url.startswith(origin + "/"), lambda route: route.abort())
    if strip_csp:

        def without_policy(route: Route) -> None:
            if route.request.resource_type != "document" or route.request.method != "GET":
                route.fallback()
                return
            response = route.fetch(max_redirects=0)
            policy = response.headers.get("content-security-policy")
            seen.documents.append((route.request.url, policy))
            headers = {
                k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"
            }
            route.fulfill(response=response, headers=headers)

        page.context.route(
            lambda url: url.startswith(origin + "/") and "/static/" not in url, without_policy
        )
    else:
        page.context.add_init_script(CSP_WATCH)
        page.on(
            "response",
            lambda r: (
                r.request.resource_type == "document"
                and seen.documents.append((r.url, r.headers.get("content-security-policy")))
            ),
        )
    return seen


def log_in(page: Page, username: str) -> None:
    """Log in through the form."""
    page.goto("/-/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Logged in as").wait_for()


def inspect(seen: Browsing, visit: Visit, site: Site, *, logged_in: bool) -> list[str]:
    """Load one page and return every way it shows that a vector got through."""
    page = seen.page
    page.goto(visit.path)
    state = page.evaluate(INSPECT, [seen.origin, ALLOWED_ATTRIBUTES, list(visit.inputs)])
    seen.counts.update(state["seen"])
    problems = list(state["problems"])
    if state["dialogs"]:
        problems.append(f"dialogs opened: {state['dialogs']}")
    if state["pwned"] is not None:
        problems.append(f"window.__pwned is {state['pwned']!r}")
    problems += [f"result {t!r} is not a page title" for t in state["hits"] if t not in site.titles]
    if visit.results and not state["hits"]:
        problems.append("no search results")
    if logged_in:  # what is shown as text differs for people not logged in
        problems += [f"missing text {t!r}" for t in visit.texts if t not in state["text"]]
        if state["navName"] != site.viewer_name:
            problems.append(f"the header shows the name as {state['navName']!r}")
        for selector, value in visit.inputs.items():
            if state["values"][selector] != value:
                problems.append(f"{selector} holds {state['values'][selector]!r}")
        if visit.title and not state["title"].startswith(f"{visit.title} · "):
            problems.append(f"document title is {state['title']!r}")
    return [f"{visit.path[:60]}: {problem}" for problem in problems]


def report(problems: list[str]) -> str:
    """Return the first problems, readable in a failure message."""
    return f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_saved_vectors_never_run_in_the_browser(xss_site, new_page, live_server):
    started = time.monotonic()
    origin = live_server.url

    # Defence in depth: with the policy in place, someone not logged in sees the pages that
    # hold vectors; every page carries the policy, and it never has to refuse a script.
    guarded = open_browser(new_page, origin, strip_csp=False)
    problems, violations = [], []
    for visit in [v for v in xss_site.visits if v.public]:
        problems += inspect(guarded, visit, xss_site, logged_in=False)
        blocked = guarded.page.evaluate("window.__csp")
        # Images on other hosts are allowed by the sanitiser and refused by the policy.
        violations += [f"{visit.path[:60]}: {v}" for v in blocked if not v.startswith("img-src")]
    assert guarded.dialogs == []
    assert problems == [], report(problems)
    assert violations == [], report(violations)
    for url, policy in guarded.documents:
        assert policy, f"{url} has no Content-Security-Policy"
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["script-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["base-uri"] == ["'none'"], url
    guarded_seconds = time.monotonic() - started

    # The proof: the same pages with the policy stripped, for a person whose own name is a
    # vector, so only the sanitiser and the templates' escaping stand in the way.
    bare = open_browser(new_page, origin, strip_csp=True)
    log_in(bare.page, "viewer")
    for visit in xss_site.visits:
        problems += inspect(bare, visit, xss_site, logged_in=True)
    # The live preview swaps rendered vectors in with htmx.
    bare.page.goto("/-/new")
    bare.page.get_by_label("Text", exact=True).fill(xss_site.editor_body)
    bare.page.locator("#preview .user-content").wait_for()
    state = bare.page.evaluate(INSPECT, [origin, ALLOWED_ATTRIBUTES, []])
    problems += [f"live preview: {p}" for p in state["problems"]]
    if state["dialogs"] or state["pwned"] is not None:
        problems.append(f"live preview ran code: {state['dialogs']} {state['pwned']}")

    assert bare.dialogs == []
    assert problems == [], report(problems)
    # The pages held what the vectors were meant to reach (a test of the test).
    assert all(bare.counts[name] for name in COVERAGE), bare.counts
    # Every page was served with a policy, even though this browser never saw it.
    assert [url for url, policy in bare.documents if not policy] == []
    assert len(bare.documents) > len(xss_site.visits)
    print(
        f"\n{xss_site.vector_count} vectors on {len(xss_site.visits)} pages: "
        f"{guarded_seconds:.1f}s with the policy, "
        f"{time.monotonic() - started - guarded_seconds:.1f}s without"
    )


def test_the_checks_catch_a_vector_that_gets_through(new_page, live_server, app, create_user):
    author = create_user("ana")
    with app.test_request_context():
        services.create_page("Harmless", "- [ ] A task", db.session.get(User, author.id))
        db.session.commit()
    seen = open_browser(new_page, live_server.url, strip_csp=True)
    seen.page.goto("/wiki/harmless")
    seen.page.evaluate(
        """() => document.querySelector('.user-content').insertAdjacentHTML('beforeend',
        '<img src=x onerror="(top.__pwned=1,alert)(1)"><a href=" java\\tscript:alert(1)">x</a>'
        + '<p hx-get="/x" style="x">y</p><svg><a href="javascript:alert(1)">z</a></svg>')"""
    )
    seen.page.wait_for_function("window.__pwned")  # the image fails to load, then its handler runs
    state = seen.page.evaluate(INSPECT, [seen.origin, ALLOWED_ATTRIBUTES, []])
    found = "\n".join(state["problems"])
    for expected in [
        "event handler in user content",
        "link resolves to javascript:",
        "htmx attribute in user content",
        "attribute style in user content",
        "forbidden element in user content: <svg>",
    ]:
        assert expected in found
    assert state["pwned"] == "1"
    assert state["dialogs"] == [["alert", "1"]]
