"""The read-only page a job's share link shows: its images, prompt and models, and no
controls. Plain HTML with no script, under a Content-Security-Policy that allows none."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

CSP = "; ".join(
    (
        "default-src 'none'",
        "img-src 'self'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # The link's secret is in the address: never send it on, never index it.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
STYLE = """
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f6f6f4;color:#1d1d1b}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.15rem;font-weight:600;margin:0 0 4px}
p{margin:0 0 16px;color:#55554f}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:16px}
figure{margin:0;background:#fff;border-radius:10px;padding:8px;box-shadow:0 1px 3px #0002}
img{display:block;width:100%;height:auto;border-radius:6px}
figcaption{font-size:.85rem;color:#55554f;padding:6px 2px 0}
@media (prefers-color-scheme:dark){body{background:#161615;color:#eee}
figure{background:#232321}p,figcaption{color:#aaa}}
"""


@dataclass(frozen=True)
class SharedImage:
    url: str
    width: int
    height: int
    model: str


def _figure(image: SharedImage, prompt: str) -> str:
    return (
        f'<figure><img src="{escape(image.url)}" width="{image.width}" '
        f'height="{image.height}" alt="{escape(prompt)}" loading="lazy">'
        f"<figcaption>{escape(image.model)} · {image.width} × {image.height}</figcaption>"
        "</figure>"
    )


def job_page(*, prompt: str, models: list[str], images: list[SharedImage]) -> str:
    figures = "".join(_figure(image, prompt) for image in images)
    body = f'<div class="grid">{figures}</div>' if images else "<p>No images yet.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{escape(prompt[:80])} · Easel</title><style>{STYLE}</style></head>"
        f'<body><main><h1 id="prompt">{escape(prompt)}</h1>'
        f'<p id="models">{escape(", ".join(models))} · shared from Easel</p>'
        f"{body}</main></body></html>"
    )


def gone_page() -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Link not found · Easel</title><style>{STYLE}</style></head>"
        "<body><main><h1>This link does not work</h1><p>It was revoked, it expired, or it "
        "never existed. Ask whoever shared it for a new one.</p></main></body></html>"
    )
