"""Rendering of console pages: one Jinja2 environment, the message catalog, error pages."""

from typing import Any
from urllib.parse import parse_qsl

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from auth.cookies import set_cookie
from console.dependencies import Visitor
from console.i18n import LANG_COOKIE, language, translate
from console.session import BASE

_env = Environment(loader=PackageLoader("console", "templates"), autoescape=select_autoescape())

# Error statuses of the other packages' services, shown as the console's own messages.
ERROR_MESSAGES = {403: "forbidden", 404: "not_found"}


def render(
    request: Request,
    template: str,
    visitor: Visitor | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = visitor.lang if visitor is not None else language(request)
    html = _env.get_template(template).render(
        t=lambda key: translate(lang, key),
        lang=lang,
        other_lang="en" if lang == "ja" else "ja",
        visitor=visitor,
        base=BASE,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") == lang:
        set_cookie(response, request, LANG_COOKIE, lang, path=BASE, max_age=365 * 86400)
    return response


MAX_FORM_BYTES = 65_536


class Form:
    """A posted console form (x-www-form-urlencoded); fields may repeat (checkboxes)."""

    def __init__(self, body: bytes) -> None:
        self.values: dict[str, list[str]] = {}
        text = body[:MAX_FORM_BYTES].decode("utf-8", "replace")
        for name, value in parse_qsl(text, keep_blank_values=True):
            self.values.setdefault(name, []).append(value)

    def get(self, name: str, default: str = "") -> str:
        """The field's last value."""
        found = self.values.get(name)
        return found[-1] if found else default

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, []))


async def read_form(request: Request) -> Form:
    return Form(await request.body())


def error_page(request: Request, visitor: Visitor | None, status: int, detail: str) -> HTMLResponse:
    key = ERROR_MESSAGES.get(status)
    return render(request, "error.html", visitor, status=status, message_key=key, detail=detail)
