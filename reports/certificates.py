"""The certificate of volunteer hours as a PDF (WeasyPrint), with a QR code (segno, SVG) that
opens the public verification page."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Certificate


def normalised_code(typed: str) -> str | None:
    """A verification code as stored ("1234-5678-9012-3456") from however it was typed or
    pasted (spaces, no dashes, the printed address's slash); None unless it has 16 digits."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    if len(digits) != 16:
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("reports:verify_code", args=[certificate.code])


def qr_svg_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def certificate_pdf(certificate: Certificate) -> bytes:
    if certificate.holder_erased:
        # The views answer 404 first; a PDF stating hours of nobody is never made.
        raise ValueError("the holder of this certificate has been erased")
    # Imported here: WeasyPrint loads Pango at import, which the rest of the site does not need.
    from weasyprint import CSS, HTML

    url = verification_url(certificate)
    with translation.override(certificate.language):
        html = render_to_string(
            "reports/certificate_pdf.html",
            {"certificate": certificate, "verify_url": url, "qr": qr_svg_data_uri(url)},
        )
    stylesheet = CSS(filename=str(settings.BASE_DIR / "static" / "css" / "certificate.css"))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])
