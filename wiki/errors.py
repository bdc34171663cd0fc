"""Friendly error pages that tell a person what happened and what to do next."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wiki.extensions import db

ADVICE = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "There is nothing here. The page may have moved or been deleted.",
    405: "That action is not possible here.",
    413: "That upload is too large.",
    429: "Too many attempts in a short time.",
    500: "Something went wrong on our side. Nothing you typed was saved by this request; "
    "go back and try again.",
}


def _page(code: int, title: str, message: str, headers=None):
    return (
        render_template("errors/error.html", code=code, title=title, message=message),
        code,
        (headers or {}),
    )


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(
            400,
            "This form has expired",
            "The form was missing its security token or the token had expired. Go back, "
            "reload the page and submit it again; copy any long text first so nothing is lost.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        message = ADVICE.get(error.code, error.description)
        if error.code == 429:
            limit = getattr(error, "limit", None)
            which = f" The limit is {limit.limit}." if limit is not None else ""
            message = f"Too many attempts in a short time.{which} Wait a minute, then try again."
        elif error.code in (400, 403, 404, 413) and error.description and not _is_default(error):
            message = error.description
        headers = {"Retry-After": "60"} if error.code == 429 else None
        return _page(error.code, error.name, message, headers)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _page(500, "Server error", ADVICE[500])


def _is_default(error: HTTPException) -> bool:
    return error.description == type(error).description
