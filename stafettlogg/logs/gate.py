"""Consent as the gate, checked once per request for every route on a log (a hook run
right after the access hook's role check): a draft shows no content (only the routes in
states.WITHOUT_CONTENT; the family's earlier consents, and giving someone the family's
access, only to someone those consents cover);
someone the consent does not let read the log (states.readable_by, in use or ended)
reaches only the routes in states.OPEN_OUTSIDE_SCOPE (and states.HANDING_OVER while the
log does not wait); while a log waits for a new consent, every POST is refused except the
few in states.OPEN_WHILE_WAITING."""

from flask import flash, g, make_response, render_template, request, url_for
from flask_login import current_user

from stafettlogg.logs import states
from stafettlogg.notify import msg
from stafettlogg.web import wants_fragment


def check_request():
    """before_request, right after access.check_request: consent is the legal basis of
    every read and write of a log (the request's log is g.log)."""
    if g.get("log") is None or request.endpoint is None:
        return None
    return check(request.endpoint, current_user, g.log)


def check(endpoint: str, user, log):
    """None when the request may go on, else the refusal (409)."""
    reason = refusal(endpoint, user, log, request.method)
    return None if reason is None else refuse(log, reason)


def refusal(endpoint: str, user, log, method: str):
    """Why the consent refuses this route on this log to this person (a Message in the
    reader's language), or None. The gate of every request, and what a page asks before
    it offers a form or link to the route (views' `log_may`), so nothing is offered that
    the gate then refuses."""
    if not user.is_authenticated or not user.is_staff:
        return None  # guardians read their own pages; their writes are the family's rights
    if not states.shows_content(log):
        if endpoint in states.FOR_THE_EARLIER_CONSENT and (
            reason := states.earlier_consent_reason(user, log, endpoint)
        ):
            return reason
        if endpoint in states.WITHOUT_CONTENT:
            return None
        if method == "POST":
            return msg("Last opp samtykket før du skriver i stafettloggen.")
        return msg("Innholdet i stafettloggen vises når samtykket er lastet opp.")
    if endpoint not in states.OPEN_OUTSIDE_SCOPE:
        reason = states.unreadable_reason(user, log)
        handing_over = endpoint in states.HANDING_OVER and states.waiting_message(log) is None
        if reason is not None and not handing_over:
            return reason
    if log.status == states.ACTIVE and method == "POST" and endpoint not in states.OPEN_WHILE_WAITING:
        return states.waiting_message(log)
    return None


def refuse(log, message):
    """The user's own language, the reason, and the way on: an htmx request is sent to
    the log page (the notice on top says why); a plain request gets a page of its own."""
    text = str(message)
    if wants_fragment():
        flash(text, "error")
        response = make_response("", 409)
        response.headers["HX-Redirect"] = url_for("logs.show", log_id=log.id)
        return response
    return make_response(render_template("logs/waiting.html", log=log, message=text), 409)
