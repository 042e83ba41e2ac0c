"""Print views: a page with its styles inlined, no navigation, banners, flash messages or forms.

Such a page reads the same saved to disk and opened offline, and prints
cleanly. The site's Content-Security-Policy allows no inline style; a print
view's response allows exactly its one <style> block, by hash, and nothing
else changes.
"""

from __future__ import annotations

import base64
import hashlib

from flask import Response, render_template
from markupsafe import Markup

from mentormatch.web.security import CONTENT_SECURITY_POLICY

PRINT_CSS = """
*{box-sizing:border-box}
html{font-family:"DejaVu Sans",Verdana,system-ui,sans-serif;color:#1b2a3a;background:#fff;line-height:1.45}
body{margin:0;padding:1.25rem;max-width:60rem;margin-inline:auto}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}
h2{font-size:1.2rem;margin:1.4rem 0 .5rem}
p{margin:.4rem 0}
a{color:#0b5cad}
.muted{color:#4a5a6a}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem;margin:1rem 0}
dt{font-weight:bold}
dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid #c9d2dc;padding:.35rem .5rem;text-align:left;vertical-align:top}
.table-wrap{overflow-x:auto}
.certificate{border:3px double #1b2a3a;padding:1.5rem;text-align:center;margin:1rem 0}
.certificate .name{font-size:1.6rem;font-weight:bold;margin:.6rem 0;overflow-wrap:anywhere}
.certificate .activity{font-size:1.2rem;font-weight:bold;overflow-wrap:anywhere}
.certificate .hours{font-size:1.15rem;margin:.8rem 0}
.certificate .signer{margin-top:1.4rem}
.certificate dl{text-align:left}
.verdict{border-left:.4rem solid;padding:.6rem 1rem;margin:1rem 0;font-weight:bold}
.verdict.valid{border-color:#1f7a3a;background:#eaf6ee}
.verdict.invalid{border-color:#a3261b;background:#fbecea}
.actions{margin-top:1.5rem;padding-top:.6rem;border-top:1px solid #c9d2dc}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.4rem}body{padding:.75rem}.certificate{padding:.9rem}}
@media print{.actions{display:none}body{padding:0;max-width:none}a{color:inherit;text-decoration:none}}
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(PRINT_CSS.encode()).digest()).decode()
PRINT_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' 'sha256-{STYLE_HASH}'")
if PRINT_POLICY == CONTENT_SECURITY_POLICY:  # pragma: no cover - a guard for whoever changes the site's CSP
    raise RuntimeError("web.security's CSP no longer has style-src 'self': update PRINT_POLICY")


def printable(template: str, status: int = 200, **context) -> Response:
    """``template`` (which extends certificates/_print.html) as a print view."""
    page = render_template(template, print_css=Markup(PRINT_CSS), **context)
    response = Response(page, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PRINT_POLICY
    return response
