"""Attachments: images and PDFs on a page, judged by content, served so they never act as HTML."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from wiki.accounts.models import User
from wiki.attachments import filetypes, services
from wiki.attachments.models import Attachment, AttachmentVersion
from wiki.extensions import db
from wiki.pages import services as page_services
from wiki.pages.models import Page

MIB = 1024 * 1024


def png(width: int = 1, height: int = 1) -> bytes:
    """Return a valid, all-white PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 2, height: int = 3) -> bytes:
    """Return the markers of a baseline JPEG: JFIF header, frame header with the size, EOI."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


# The smallest well-known GIF: one transparent pixel.
GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)


def pdf() -> bytes:
    """Return a one-page PDF that says "Hello", with a correct cross-reference table."""
    stream = b"BT /F1 24 Tf 20 100 Td (Hello) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
POLYGLOT = b"GIF89a/*\x01\x00\x01\x00*/=1;<script>alert(document.domain)</script>" + GIF[13:]


@pytest.fixture
def create_page(app) -> Callable[..., Page]:
    """Return a function that creates a page, optionally protected or deleted."""

    def factory(
        title: str = "Venue", body: str = "Where we meet.", protected=False, deleted=False
    ) -> Page:
        with app.app_context():
            author = db.session.scalars(select(User).order_by(User.id)).first()
            assert author is not None, "create a person first"
            page = page_services.create_page(title, body, author).page
            page.protected = protected
            if deleted:
                page_services.delete_page(page, author)
            db.session.commit()
            db.session.expunge(page)
            return page

    return factory


@pytest.fixture
def page(participant, create_page) -> Page:
    """Return an ordinary page anyone logged in may edit."""
    return create_page()


def upload(client, slug: str, data: bytes, name: str, comment: str = ""):
    """Post a file to a page's attachments the way the upload form does."""
    return client.post(
        f"/wiki/{slug}/-/attachments",
        data={"file": (io.BytesIO(data), name), "comment": comment},
    )


def only_attachment(app) -> Attachment:
    """Return the one attachment in the database, detached from the session."""
    with app.app_context():
        attachment = db.session.scalars(select(Attachment)).one()
        db.session.expunge(attachment)
        return attachment


def count(app, model) -> int:
    """Return how many rows ``model`` has."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# Uploading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "media_type", "size"),
    [
        (png(3, 2), "map.png", "image/png", (3, 2)),
        (jpeg(2, 3), "photo.jpg", "image/jpeg", (2, 3)),
        (GIF, "dot.gif", "image/gif", (1, 1)),
        (pdf(), "timetable.pdf", "application/pdf", (None, None)),
    ],
)
def test_upload_stores_the_file_as_its_content_says(
    app, client, auth, participant, page, data, name, media_type, size
):
    auth.login(participant)
    response = upload(client, page.slug, data, name, comment="first go")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/wiki/{page.slug}/-/attachments#attachment-")
    with app.app_context():
        version = db.session.scalars(select(AttachmentVersion)).one()
        assert version.attachment.filename == name
        assert version.attachment.page_id == page.id
        assert version.media_type == media_type
        assert (version.width, version.height) == size
        assert version.content == data
        assert version.size == len(data)
        assert version.sha256 == hashlib.sha256(data).hexdigest()
        assert version.uploaded_by.username == participant.username
        assert version.comment == "first go"
        assert version.attachment.current_version_id == version.id
    served = client.get(f"/-/attachments/{version.attachment_id}/{name}")
    assert served.status_code == 200
    assert served.data == data
    assert served.mimetype == media_type


def test_type_comes_from_content_not_name(app, client, auth, participant, page):
    auth.login(participant)
    assert upload(client, page.slug, png(), "notes.pdf").status_code == 303
    attachment = only_attachment(app)
    assert attachment.filename == "notes.pdf.png"
    served = client.get(f"/-/attachments/{attachment.id}/notes.pdf.png")
    assert served.mimetype == "image/png"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "cat.png"),
        (SVG, "logo.svg"),
        (SVG, "logo.png"),
        (b"MZ\x90\x00 not a picture", "game.exe"),
        (b"%!PS-Adobe-3.0\n", "poster.pdf"),
    ],
    ids=["html-renamed-png", "svg", "svg-renamed-png", "program", "postscript"],
)
def test_files_that_are_not_images_or_pdfs_are_refused(
    app, client, auth, participant, page, data, name
):
    auth.login(participant)
    response = upload(client, page.slug, data, name)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "There is a problem" in text
    assert "PNG, JPEG, GIF, WebP or PDF" in text
    assert 'enctype="multipart/form-data"' in text
    assert count(app, Attachment) == 0


def test_polyglot_gif_is_served_as_a_gif_in_a_sandbox(app, client, auth, participant, page):
    auth.login(participant)
    assert upload(client, page.slug, POLYGLOT, "trick.html").status_code == 303
    attachment = only_attachment(app)
    assert attachment.filename == "trick.html.gif"
    served = client.get(f"/-/attachments/{attachment.id}/{attachment.filename}")
    assert served.data == POLYGLOT
    assert served.headers["Content-Type"] == "image/gif"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    policy = served.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy.split(";")[-1].split()
    assert "script-src" not in policy and "allow-scripts" not in policy


def test_file_over_the_limit_is_refused_with_both_sizes(make_app, create_user, create_page):
    app = make_app(ATTACHMENT_MAX_BYTES=MIB)
    user = create_user("priya")
    page = create_page()
    client = app.test_client()
    client.post("/-/login", data={"username": user.username, "password": "correct horse battery"})
    big = png() + b"\x00" * (MIB + MIB // 2 - len(png()))
    # Encoded in memory: the test client spools large bodies to a file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": client.csrf_token(), "file": FileStorage(io.BytesIO(big), "huge.png")}
    )
    response = client.post(
        f"/wiki/{page.slug}/-/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        csrf=False,
    )
    assert response.status_code == 422
    assert "The file is 1.5 MB; the limit is 1 MB." in response.get_data(as_text=True)
    assert count(app, Attachment) == 0


def test_a_person_uploads_at_most_the_daily_allowance(
    make_app, create_user, create_page, facilitator
):
    app = make_app(ATTACHMENT_DAILY_BYTES=3000)
    user = create_user("priya")
    page = create_page()
    client = app.test_client()
    client.post("/-/login", data={"username": user.username, "password": "correct horse battery"})
    first = png(20, 20)
    assert upload(client, page.slug, first, "a.png").status_code == 303
    used = len(first)
    form = client.get(f"/wiki/{page.slug}/-/attachments").get_data(as_text=True)
    assert "You can upload " in form and "more today (each person 2.9 KB a day)" in form
    big = pdf() + b"%" * (3000 - used + 1 - len(pdf()))  # one byte too many today
    response = upload(client, page.slug, big, "b.pdf")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "in the last 24 hours, and each person may upload 2.9 KB a day" in body
    assert count(app, AttachmentVersion) == 1
    # A day later the allowance is whole again.
    with app.app_context():
        version = db.session.scalars(select(AttachmentVersion)).one()
        version.created_at = version.created_at - timedelta(hours=25)
        db.session.commit()
    assert upload(client, page.slug, big, "b.pdf").status_code == 303
    # Facilitators look after the site and are not limited.
    staff = app.test_client()
    staff.post(
        "/-/login", data={"username": facilitator.username, "password": "correct horse battery"}
    )
    assert upload(staff, page.slug, big + b"%" * 3000, "c.pdf").status_code == 303


def test_default_limit_is_five_megabytes(app):
    assert app.config["ATTACHMENT_MAX_BYTES"] == 5 * MIB
    assert services.format_size(5 * MIB) == "5 MB"
    assert services.format_size(6_500_000) == "6.2 MB"
    assert services.format_size(34 * 1024) == "34 KB"
    assert services.format_size(812) == "812 bytes"


def test_request_bigger_than_the_server_takes_gets_a_friendly_page(
    make_app, create_user, create_page
):
    app = make_app(MAX_CONTENT_LENGTH=20_000)
    user = create_user("priya")
    page = create_page()
    client = app.test_client()
    client.post("/-/login", data={"username": user.username, "password": "correct horse battery"})
    response = upload(client, page.slug, png() + b"\x00" * 30_000, "huge.png")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "File too large" in text
    assert "a file can be at most 19.5 KB" in text  # the smaller of the two limits
    assert count(app, Attachment) == 0


def test_missing_file_re_renders_the_form(client, auth, participant, page):
    auth.login(participant)
    response = client.post(f"/wiki/{page.slug}/-/attachments", data={"comment": "oops"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose a file to attach." in text
    assert 'value="oops"' in text


def test_empty_file_is_refused(client, auth, participant, page):
    auth.login(participant)
    response = upload(client, page.slug, b"", "nothing.png")
    assert response.status_code == 422


def test_upload_without_csrf_token_is_refused(app, client, auth, participant, page):
    auth.login(participant)
    response = client.post(
        f"/wiki/{page.slug}/-/attachments",
        data={"file": (io.BytesIO(png()), "map.png")},
        csrf=False,
    )
    assert response.status_code == 400
    assert count(app, Attachment) == 0


# Versions ------------------------------------------------------------------------------


def test_same_name_again_adds_a_version_and_keeps_the_old_one(app, client, auth, participant, page):
    auth.login(participant)
    first, second = png(1, 1), png(4, 4)
    upload(client, page.slug, first, "map.png")
    response = upload(client, page.slug, second, "map.png", comment="bigger")
    assert response.status_code == 303
    assert "Version 2 of “map.png” is saved" in client.get(response.headers["Location"]).text
    attachment = only_attachment(app)
    assert attachment.version_count == 2
    assert count(app, AttachmentVersion) == 2
    assert client.get(f"/-/attachments/{attachment.id}/map.png").data == second
    old = client.get(f"/-/attachments/{attachment.id}/v1/map.png")
    assert old.status_code == 200 and old.data == first
    assert client.get(f"/-/attachments/{attachment.id}/v2/map.png").data == second
    assert client.get(f"/-/attachments/{attachment.id}/v3/map.png").status_code == 404
    listing = client.get(f"/wiki/{page.slug}/-/attachments").get_data(as_text=True)
    assert f"/-/attachments/{attachment.id}/v1/map.png" in listing
    assert "bigger" in listing and "Priya" in listing


def test_same_file_again_changes_nothing(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, png(), "map.png")
    response = upload(client, page.slug, png(), "map.png")
    assert response.status_code == 303
    assert "nothing changed" in client.get(response.headers["Location"]).text
    assert count(app, AttachmentVersion) == 1


def test_a_name_never_mixes_types(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, pdf(), "plan.pdf")
    upload(client, page.slug, png(), "plan.pdf")  # a picture: saved as plan.pdf.png
    assert sorted(a.filename for a in _attachments(app)) == ["plan.pdf", "plan.pdf.png"]
    assert count(app, AttachmentVersion) == 2


# Who may do what -----------------------------------------------------------------------


def test_anonymous_people_see_the_list_but_must_log_in_to_upload(app, client, page):
    listing = client.get(f"/wiki/{page.slug}/-/attachments")
    assert listing.status_code == 200
    assert "Log in" in listing.get_data(as_text=True)
    assert 'type="file"' not in listing.get_data(as_text=True)
    response = upload(client, page.slug, png(), "map.png")
    assert response.status_code == 302
    assert "/-/login" in response.headers["Location"]
    assert count(app, Attachment) == 0


def test_protected_page_takes_files_only_from_facilitators(
    app, client, auth, participant, facilitator, create_page
):
    page = create_page("Safeguarding", protected=True)
    auth.login(participant)
    assert upload(client, page.slug, png(), "map.png").status_code == 403
    listing = client.get(f"/wiki/{page.slug}/-/attachments").get_data(as_text=True)
    assert "only facilitators can attach files" in listing
    assert count(app, Attachment) == 0
    auth.logout()
    auth.login(facilitator)
    assert upload(client, page.slug, png(), "map.png").status_code == 303
    assert count(app, Attachment) == 1


def test_facilitator_deletes_and_restores_an_attachment(
    app, client, auth, participant, facilitator, page
):
    auth.login(participant)
    upload(client, page.slug, png(), "map.png")
    attachment = only_attachment(app)
    url = f"/-/attachments/{attachment.id}/map.png"
    assert client.post(f"/-/attachments/{attachment.id}/delete").status_code == 403
    auth.logout()
    auth.login(facilitator)
    response = client.post(f"/-/attachments/{attachment.id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/wiki/{page.slug}/-/attachments"
    assert client.get(url).status_code == 200  # facilitators can still look
    assert "Deleted" in client.get(f"/wiki/{page.slug}/-/attachments").text
    assert "map.png" not in client.get(f"/wiki/{page.slug}").text
    auth.logout()
    assert client.get(url).status_code == 404
    assert client.get(f"/-/attachments/{attachment.id}/v1/map.png").status_code == 404
    auth.login(participant)
    assert client.get(url).status_code == 404
    refused = upload(client, page.slug, png(2, 2), "map.png")
    assert refused.status_code == 422
    assert "a facilitator can restore it" in refused.get_data(as_text=True)
    auth.logout()
    auth.login(facilitator)
    assert client.post(f"/-/attachments/{attachment.id}/restore").status_code == 303
    auth.logout()
    assert client.get(url).status_code == 200
    assert count(app, AttachmentVersion) == 1


def test_attachments_of_a_deleted_page_are_hidden_but_from_facilitators(
    app, client, auth, participant, facilitator, page
):
    auth.login(participant)
    upload(client, page.slug, png(), "map.png")
    attachment = only_attachment(app)
    auth.logout()
    auth.login(facilitator)
    client.post(f"/wiki/{page.slug}/-/delete")
    url = f"/-/attachments/{attachment.id}/map.png"
    assert client.get(url).status_code == 200
    assert upload(client, page.slug, png(2, 2), "map.png").status_code == 403
    auth.logout()
    assert client.get(url).status_code == 404
    assert client.get(f"/wiki/{page.slug}/-/attachments").status_code == 404


# Serving -----------------------------------------------------------------------------


def test_download_headers_make_the_file_inert(app, client, auth, participant, page):
    auth.login(participant)
    data = png()
    upload(client, page.slug, data, "map.png")
    attachment = only_attachment(app)
    response = client.get(f"/-/attachments/{attachment.id}/map.png")
    headers = response.headers
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("default-src 'none';")
    assert headers["Content-Security-Policy"].endswith("; sandbox")
    assert headers["Content-Disposition"] == (
        "inline; filename=\"map.png\"; filename*=UTF-8''map.png"
    )
    assert headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in headers
    old = client.get(f"/-/attachments/{attachment.id}/v1/map.png")
    assert old.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert old.headers["Content-Security-Policy"] == headers["Content-Security-Policy"]


def test_pdf_is_served_inline_in_the_sandbox(app, client, auth, participant, page):
    # Chromium 156's PDF viewer renders, and offers its download button, under this policy,
    # so PDFs open in the browser like images rather than being forced to download.
    auth.login(participant)
    upload(client, page.slug, pdf(), "timetable.pdf")
    attachment = only_attachment(app)
    response = client.get(f"/-/attachments/{attachment.id}/timetable.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    part = client.get(
        f"/-/attachments/{attachment.id}/timetable.pdf", headers={"Range": "bytes=0-7"}
    )
    assert part.status_code == 206
    assert part.data == b"%PDF-1.4"


def test_unchanged_file_answers_not_modified(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, png(), "map.png")
    attachment = only_attachment(app)
    url = f"/-/attachments/{attachment.id}/map.png"
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert "html" not in again.headers.get("Content-Type", "")
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    upload(client, page.slug, png(2, 2), "map.png")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_unicode_filename_in_content_disposition(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, png(), "Café plan 地图.png")
    attachment = only_attachment(app)
    assert attachment.filename == "Café plan 地图.png"
    response = client.get(f"/-/attachments/{attachment.id}/Café plan 地图.png")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'inline; filename="Cafe plan.png"; '
        "filename*=UTF-8''Caf%C3%A9%20plan%20%E5%9C%B0%E5%9B%BE.png"
    )


def test_wrong_name_in_address_redirects_to_the_right_one(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, png(), "map.png")
    attachment = only_attachment(app)
    response = client.get(f"/-/attachments/{attachment.id}/other.html")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/-/attachments/{attachment.id}/map.png"
    response = client.get(f"/-/attachments/{attachment.id}/v1/other.html")
    assert response.headers["Location"] == f"/-/attachments/{attachment.id}/v1/map.png"
    assert client.get("/-/attachments/999/map.png").status_code == 404


# On the page -----------------------------------------------------------------------------


def test_page_lists_its_attachments_below_the_text(app, client, auth, participant, page):
    anonymous = client.get(f"/wiki/{page.slug}").get_data(as_text=True)
    assert 'id="attachments-title"' not in anonymous  # nothing to list, nothing to offer
    auth.login(participant)
    assert "Attach a file" in client.get(f"/wiki/{page.slug}").text
    upload(client, page.slug, png(3, 2), "map.png")
    upload(client, page.slug, pdf(), "timetable.pdf")
    attachment_ids = {a.filename: a.id for a in _attachments(app)}
    text = client.get(f"/wiki/{page.slug}").get_data(as_text=True)
    listed = text.index('id="attachments-title"')
    assert text.index("Where we meet.") < listed < text.index('class="page__footer muted"')
    assert f'href="/-/attachments/{attachment_ids["map.png"]}/map.png"' in text
    assert f'href="/-/attachments/{attachment_ids["timetable.pdf"]}/timetable.pdf"' in text
    assert "PNG image" in text and "3×2 pixels" in text and "PDF document" in text


def _attachments(app) -> list[Attachment]:
    """Return every attachment, detached from the session."""
    with app.app_context():
        attachments = db.session.scalars(select(Attachment)).all()
        db.session.expunge_all()
        return attachments


def test_attachments_page_offers_markdown_to_embed(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, png(), "site_map.png")
    upload(client, page.slug, pdf(), "timetable.pdf")
    ids = {a.filename: a.id for a in _attachments(app)}
    text = client.get(f"/wiki/{page.slug}/-/attachments").get_data(as_text=True)
    assert f'value="![site map](/-/attachments/{ids["site_map.png"]}/site_map.png)"' in text
    assert f'value="[timetable.pdf](/-/attachments/{ids["timetable.pdf"]}/timetable.pdf)"' in text


def test_embedded_attachment_image_survives_the_sanitiser(app):
    with app.test_request_context():
        html = page_services.render("![map](/-/attachments/1/map.png)\n").html
    assert '<img src="/-/attachments/1/map.png" alt="map"' in html


def test_embedded_attachment_shows_on_the_saved_page(app, client, auth, participant, page):
    auth.login(participant)
    upload(client, page.slug, png(), "map.png")
    attachment = only_attachment(app)
    markdown = f"Here:\n\n![Site map](/-/attachments/{attachment.id}/map.png)\n"
    with app.app_context():
        current = db.session.get(Page, page.id).current_revision_id
    client.post(
        f"/wiki/{page.slug}/-/edit",
        data={"title": page.title, "body": markdown, "base_revision": str(current)},
    )
    text = client.get(f"/wiki/{page.slug}").get_data(as_text=True)
    assert f'<img src="/-/attachments/{attachment.id}/map.png" alt="Site map"' in text


# Names and types (pure) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("map.png", filetypes.PNG, "map.png"),
        ("MAP.PNG", filetypes.PNG, "MAP.png"),
        ("photo.jpeg", filetypes.JPEG, "photo.jpeg"),
        ("photo.png", filetypes.JPEG, "photo.png.jpg"),
        ("notes.html", filetypes.PNG, "notes.html.png"),
        ("../../etc/passwd.png", filetypes.PNG, "passwd.png"),
        ("C:\\Users\\sam\\Desktop\\plan.pdf", filetypes.PDF, "plan.pdf"),
        ('a<script>"x".gif', filetypes.GIF, "a-script-x.gif"),
        (".hidden.png", filetypes.PNG, "hidden.png"),
        ("  spaced \t out .webp ", filetypes.WEBP, "spaced out.webp"),
        ("", filetypes.PNG, "file.png"),
        ("....png", filetypes.PNG, "file.png"),
        ("x" * 300 + ".pdf", filetypes.PDF, "x" * 100 + ".pdf"),
        ("e\u0301te\u0301.png", filetypes.PNG, "été.png"),
        ("line\nbreak\x00.png", filetypes.PNG, "line break.png"),
    ],
)
def test_clean_filename(name, kind, expected):
    assert services.clean_filename(name, kind) == expected


@pytest.mark.parametrize(
    ("data", "media_type", "size"),
    [
        (png(640, 480), "image/png", (640, 480)),
        (jpeg(1024, 768), "image/jpeg", (1024, 768)),
        (GIF, "image/gif", (1, 1)),
        (
            b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f"
            + ((99) | (49 << 14)).to_bytes(4, "little"),
            "image/webp",
            (100, 50),
        ),
        (
            b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00"
            + (299).to_bytes(3, "little")
            + (199).to_bytes(3, "little"),
            "image/webp",
            (300, 200),
        ),
        (pdf(), "application/pdf", (None, None)),
        (POLYGLOT, "image/gif", (0x2A2F, 1)),  # "/*" read as the width
    ],
)
def test_sniff_recognises_allowed_types(data, media_type, size):
    sniffed = filetypes.sniff(data)
    assert sniffed.kind.media_type == media_type
    assert (sniffed.width, sniffed.height) == size


@pytest.mark.parametrize(
    "data",
    [b"", HTML, SVG, b"<?xml version='1.0'?>" + SVG, b"RIFF\x00\x00\x00\x00WAVEfmt ", b" %PDF-1.4"],
)
def test_sniff_refuses_everything_else(data):
    assert filetypes.sniff(data) is None


def test_only_safe_media_types_can_ever_be_served():
    types = {kind.media_type for kind in filetypes.ALLOWED}
    assert types == {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
