"""Headers on every response, errors included (SECURITY.md "Headers and browser")."""

from flask import current_app, request

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
# A file to save (an uploaded consent, an archive package, an export, a calendar entry),
# never a page: if a browser shows it anyway, nothing in it runs (SECURITY.md «Uploads»).
DOWNLOAD_CSP = "sandbox"


def set_security_headers(response):
    headers = response.headers
    if headers.get("Content-Disposition", "").startswith("attachment"):
        headers["Content-Security-Policy"] = DOWNLOAD_CSP
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        # Older browsers read this instead; a page that may be framed (front-channel
        # logout, by the identity provider only) says so in its own CSP.
        headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers.add("Vary", "HX-Request")
    if request.endpoint != "static":
        # Pages carry personal data: never in a shared or browser cache.
        headers["Cache-Control"] = "no-store"

    if current_app.config.get("HTTPS"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
