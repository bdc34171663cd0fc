"""A bare Flask app that renders one Jinja template of about a wiki page's size: the yardstick.

No database, no login, no CSRF, no extensions: only routing, a template and a response.
Serve it with ``gunicorn 'bench.bare_app:create_app()'`` (the HTML to show is read from the
file named by ``BENCH_PAGE_HTML``) or build it in process with ``create_app(html)``.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template
from jinja2 import DictLoader
from markupsafe import Markup

# Shaped like campwiki's base.html and pages/view.html: head, navigation, article, footer.
TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}{% endblock %} · {{ site_name }}</title>
  <meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false, \
"allowScriptTags": false, "historyCacheSize": 0}'>
  <link rel="icon" href="{{ url_for('static', filename='favicon.svg') }}" type="image/svg+xml">
  <link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}">
  <link rel="alternate" type="application/atom+xml" title="{{ site_name }}: recent changes"
    href="{{ url_for('page', slug='recent') }}.atom">
  <script src="{{ url_for('static', filename='js/htmx.min.js') }}" defer></script>
  <script src="{{ url_for('static', filename='js/sse.min.js') }}" defer></script>
  <script src="{{ url_for('static', filename='js/site.js') }}" defer></script>
</head>
<body>
  <a class="skip-link" href="#main">Skip to main content</a>
  <header class="site-header">
    <div class="site-header__inner">
      <a class="site-header__brand" href="{{ url_for('page', slug='home') }}">{{ site_name }}</a>
      <nav class="site-nav" aria-label="Main">
        <ul>
          {% for label, slug in nav %}
          <li><a href="{{ url_for('page', slug=slug) }}">{{ label }}</a></li>
          {% endfor %}
        </ul>
      </nav>
    </div>
  </header>
  <main id="main" class="main" tabindex="-1">
    {% block content %}{% endblock %}
  </main>
  <footer class="site-footer">
    <div class="site-footer__inner">
      <p>{{ site_name }}: a wiki for running a BarCamp. Everyone who comes can edit it.</p>
      <p>Text is shared under the licence the organisers chose; see the page history for
        who wrote what. Found a problem? Tell a facilitator, or start a discussion.</p>
    </div>
  </footer>
</body>
</html>
""",
    "page.html": """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<article class="page">
  <header class="page__header">
    <h1>{{ title }}</h1>
    <nav class="tabs" aria-label="Page"><ul>
      {% for tab in ("Read", "Discussion", "Edit", "History") %}
      <li><a href="{{ url_for('page', slug=slug) }}?tab={{ tab|lower }}">{{ tab }}</a></li>
      {% endfor %}
    </ul></nav>
  </header>
  <div class="prose user-content">{{ html }}</div>
  <footer class="page__footer muted">
    <p>Revision {{ number }}, saved by {{ author }}.
      <a href="{{ url_for('page', slug=slug) }}?tab=history">History</a></p>
  </footer>
</article>
{% endblock %}
""",
}

# The published programme's grid: rooms across, time down, a link and hosts in every cell.
TEMPLATES["table.html"] = """{% extends "base.html" %}
{% block title %}Programme{% endblock %}
{% block content %}
<table class="programme">
  <caption>Programme, {{ version }}</caption>
  <thead><tr><th scope="col">Time</th>
    {% for room in rooms %}<th scope="col">{{ room }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for time, cells in rows %}
  <tr><th scope="row"><time>{{ time }}</time></th>
    {% for cell in cells %}<td>{% if cell %}<a href="{{ url_for('page', slug=cell.slug) }}">\
{{ cell.title }}</a><br><span class="hosts">{{ cell.hosts }}</span>{% endif %}</td>{% endfor %}
  </tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
"""

NAV = [
    ("Home", "home"),
    ("Pages", "pages"),
    ("Recent changes", "recent"),
    ("Search", "search"),
    ("Log in", "login"),
    ("Register", "register"),
]


def create_app(html: str | None = None) -> Flask:
    """Build the bare app showing ``html`` (or the file named by BENCH_PAGE_HTML)."""
    if html is None:
        html = Path(os.environ["BENCH_PAGE_HTML"]).read_text(encoding="utf-8")
    app = Flask(__name__)
    app.jinja_loader = DictLoader(TEMPLATES)
    content = Markup(html)

    @app.get("/wiki/<path:slug>")
    def page(slug: str):
        """Render the page template around the stored HTML."""
        return render_template(
            "page.html",
            site_name="campwiki",
            nav=NAV,
            slug=slug,
            title="Welcome to the camp",
            html=content,
            number=3,
            author="Bench",
        )

    @app.get("/table")
    def table():
        """Render the programme-sized table of ``app.config["TABLE"]`` (rooms, rows)."""
        rooms, rows = app.config["TABLE"]
        return render_template(
            "table.html", site_name="campwiki", nav=NAV, version="v1", rooms=rooms, rows=rows
        )

    return app
