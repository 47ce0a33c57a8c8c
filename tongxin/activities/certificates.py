"""The PDF of a certificate of volunteer service hours (志愿服务记录证明; issued by
``services.issue_certificate``): A4, the CJK font STSong-Light that reportlab ships as a CID font (no font file to
install), with a QR code that leads to the public verification page."""

from __future__ import annotations

import io

import segno
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tongxin.activities.models import Certificate


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The printable certificate: identity (ID masked), hours by activity and in total (verified and
    supplementary apart), the issuing organisation, the date, the serial number, and the QR code to verify it."""
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{_('Certificate of volunteer service hours')} {certificate.serial}")
    width, height = A4
    y = height - 30 * mm
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, _("Certificate of volunteer service hours"))
    y -= 14 * mm
    pdf.setFont(font, 11)
    for label, value in (
        (_("Serial number"), certificate.serial),
        (_("Name"), certificate.holder_name),
        (_("ID number"), certificate.holder_masked_id or "—"),
        (_("Verified hours"), str(certificate.verified_hours)),
        (_("Supplementary hours"), str(certificate.supplementary_hours)),
        (_("Issuing organisation"), certificate.issuer_name),
        (_("Issued on"), certificate.issued_on.isoformat()),
    ):
        pdf.drawString(25 * mm, y, f"{label}：{value}")
        y -= 7 * mm
    y -= 4 * mm
    pdf.setFont(font, 10)
    pdf.drawString(25 * mm, y, _("Date") + "    " + _("Activity") + "    " + _("Verified hours") + " / "
                   + _("Supplementary hours"))  # fmt: skip
    y -= 6 * mm
    for line in certificate.lines:
        if y < 50 * mm:
            pdf.showPage()
            pdf.setFont(font, 10)
            y = height - 25 * mm
        text = f"{line['date']}    {line['title'][:40]}    {line['verified']} / {line['supplementary']}"
        pdf.drawString(25 * mm, y, text)
        y -= 6 * mm
    qr = segno.make(verify_url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=2)
    image.seek(0)
    pdf.drawImage(ImageReader(image), width - 55 * mm, 20 * mm, 35 * mm, 35 * mm)
    pdf.setFont(font, 8)
    pdf.drawString(25 * mm, 25 * mm, _("Scan the code to verify this certificate on the server."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
