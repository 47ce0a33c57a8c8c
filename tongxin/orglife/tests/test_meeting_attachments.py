"""Attachments: photos and PDFs checked by their content, the size limited; served as downloads (photos
inline), never sniffed, and only inside the scope."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongxin.core.exceptions import DomainError
from tongxin.orglife.models import Attachment
from tongxin.orglife.services import meetings as services
from tongxin.orglife.tests.meeting_helpers import planned

pytestmark = pytest.mark.usefixtures("english")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def meeting(tree, users):
    return planned(users.secretary_a, tree.branch_a)


def test_a_png_a_jpeg_and_a_pdf_are_accepted(users, meeting):
    png = services.add_attachment(users.secretary_a, meeting, file_name="合影.PNG", content=PNG)
    jpeg = services.add_attachment(users.secretary_a, meeting, file_name="现场.jpeg", content=JPEG)
    pdf = services.add_attachment(users.secretary_a, meeting, file_name="C:\\docs\\会议记录.pdf", content=PDF)
    assert (png.content_type, png.size) == ("image/png", len(PNG))
    assert jpeg.content_type == "image/jpeg"
    assert (pdf.content_type, pdf.file_name) == ("application/pdf", "会议记录.pdf")
    assert bytes(Attachment.objects.get(pk=pdf.pk).content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("记录.pdf", "这不是 PDF".encode(), "not a real PDF file"),
        ("合影.png", PDF, "not a real PNG file"),
        ("合影.jpg", PNG, "not a real JPEG file"),
        ("脚本.html", b"<script>alert(1)</script>", "only photos (JPEG, PNG) and PDF files are accepted"),
        ("无扩展名", PNG, "only photos (JPEG, PNG) and PDF files are accepted"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_a_file_whose_content_does_not_match_is_refused(users, meeting, name, content, message):
    with pytest.raises(DomainError, match=re.escape(message)):
        services.add_attachment(users.secretary_a, meeting, file_name=name, content=content)
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(settings, users, meeting):
    settings.TONGXIN_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(DomainError, match="is larger than the limit of"):
        services.add_attachment(users.secretary_a, meeting, file_name="大.pdf", content=PDF + b"0" * 1024)
    assert not Attachment.objects.exists()
    services.add_attachment(users.secretary_a, meeting, file_name="小.pdf", content=PDF)


def test_outsiders_may_not_attach(users, meeting):
    from django.core.exceptions import PermissionDenied

    for who in (users.outsider, users.secretary_b, users.viewer):
        with pytest.raises(PermissionDenied):
            services.add_attachment(who, meeting, file_name="合影.png", content=PNG)


def test_upload_page_and_download_headers(users, meeting, client_for):
    client = client_for(users.secretary_a)
    upload = reverse("orglife:meeting_upload", args=[meeting.pk])
    response = client.post(upload, {"file": SimpleUploadedFile("会议记录.pdf", PDF, content_type="image/png")})
    assert response.status_code == 302
    client.post(upload, {"file": SimpleUploadedFile("合影.png", PNG, content_type="application/pdf")})
    bad = client.post(upload, {"file": SimpleUploadedFile("假.pdf", b"hello", content_type="application/pdf")},
                      follow=True)  # fmt: skip
    assert "not a real PDF file" in bad.content.decode()
    pdf, png = Attachment.objects.order_by("id")
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")

    response = client.get(reverse("orglife:meeting_attachment", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF
    response = client.get(reverse("orglife:meeting_attachment", args=[png.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"

    for who in (users.outsider, users.secretary_b, users.member, users.nobody):
        other = client_for(who)
        assert other.get(reverse("orglife:meeting_attachment", args=[pdf.pk])).status_code == 404
        response = other.post(upload, {"file": SimpleUploadedFile("合影.png", PNG)})
        assert response.status_code == 404
    assert Attachment.objects.count() == 2
