"""Routes for archiving a log: the archive page, sending the package (download or the
archive's import folder), the archive's case number, and the archive print (the whole
log as a page the browser prints). Thin: the access hook has
loaded g.log and checked the role; rules live in archive/domain.py."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from stafettlogg.archive import content as archive_content
from stafettlogg.archive import domain
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import ngettext
from stafettlogg.logs import queries
from stafettlogg.logs.errors import LogError
from stafettlogg.models import ArchiveStatus, LogStatus, utcnow

bp = Blueprint("archive", __name__)


def _page(errors=None, values=None, status=200):
    log = queries.load_log(g.log.id)
    g.audit_object = log  # a read whatever the method, a refusal re-rendered too (audit.py's hook)
    deliveries = domain.deliveries(log)
    may_archive = domain.may_archive(current_user, log)
    return render_template(
        "archive/show.html",
        log=log,
        deliveries=deliveries,
        downloaded_ids={d.id for d in deliveries if domain.fetchable_again(d)},
        waiting=any(d.status in (ArchiveStatus.QUEUED, ArchiveStatus.SENDING) for d in deliveries),
        pending=domain.pending(log) if log.status != LogStatus.DRAFT else [],
        archived=domain.is_archived(log),
        may_archive=may_archive,
        transport=current_app.config["ARCHIVE_TRANSPORT"],
        errors=errors or {},
        values=values or {"reference": log.archive_reference},
    ), status


def _no_more(error: LogError) -> None:
    """A log deleted while the request was under way (its package rendering, a second
    click) answers as any log that is no more; a person whose role may not archive the
    log in its state (the state table's "archive": a unit leader before the log has ended;
    the access table already let them reach the route) gets the error page with the
    reason (409), not the archive page (that would be a read of the log in the family's
    access history)."""
    if error.code == "gone":
        g.log = None
        abort(404)
    if error.code == "forbidden":
        abort(make_response(render_template("error.html", code=409, message=str(error)), 409))


@bp.route("/logger/<int:log_id>/arkiv")
def show(log_id):
    return _page()


@bp.route("/logger/<int:log_id>/arkiv", methods=["POST"])
def send(log_id):
    """Build the package outside any transaction, deliver it, then record it."""
    via = current_app.config["ARCHIVE_TRANSPORT"]
    try:
        pkg, _delivery = domain.archive(current_user, g.log, via)
    except LogError as e:
        _no_more(e)
        return _page({"_form": str(e)}, status=409)
    if via == "folder":
        flash(
            ngettext(
                "Arkivpakken (%(num)s dokument) sendes til arkivets importmappe. Under «Sendt til arkivet» ser du når arkivet har den.",
                "Arkivpakken (%(num)s dokumenter) sendes til arkivets importmappe. Under «Sendt til arkivet» ser du når arkivet har den.",
                len(pkg.documents),
            ),
            "success",
        )
        return redirect(url_for("archive.show", log_id=log_id), 303)
    # every other transport is recorded as delivered now (domain.archive): the person gets the zip
    return _zip(pkg)


@bp.route("/logger/<int:log_id>/arkiv/<int:delivery_id>/last-ned", methods=["POST"])
def fetch_again(log_id, delivery_id):
    """A download that never reached the archive, fetched again (a POST: it renders the
    log's documents and is audited)."""
    try:
        pkg = domain.fetch_again(current_user, g.log, delivery_id)
    except LogError as e:
        _no_more(e)
        if e.code == "missing":
            abort(404)
        return _page({"_form": str(e)}, status=409)
    return _zip(pkg)


def _zip(pkg):
    """The package as a download, never shown in the browser."""
    g.log = None  # audited by the domain (log_archived, archive_fetched_again), not as a page view
    return Response(
        pkg.data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{pkg.name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/logger/<int:log_id>/arkiv/saksnummer", methods=["POST"])
def reference(log_id):
    try:
        domain.set_reference(current_user, g.log, request.form.get("reference", ""))
    except LogError as e:
        _no_more(e)
        return _page({e.field or "_form": str(e)}, {"reference": request.form.get("reference", "")}, 422)
    flash(_("Saksnummeret er lagret."), "success")
    return redirect(url_for("archive.show", log_id=log_id), 303)


@bp.route("/enheter/<int:unit_id>/arkivmalform", methods=["POST"])
def unit_language(unit_id):
    try:
        domain.set_document_language(current_user, g.unit, request.form.get("document_language", ""))
        flash(_("Målformen for arkivdokumentene er lagret."), "success")
    except LogError as e:
        if e.code == "forbidden":
            return render_template("error.html", code=403, message=str(e)), 403
        flash(str(e), "error")
    return redirect(url_for("lifecycle.queue", unit_id=unit_id), 303)


# ------------------------------------------------------------------ the archive print (for the browser)


@bp.route("/logger/<int:log_id>/arkivutskrift")
def archive_print(log_id):
    """seed 003: the log never replaces the service's own journal; before deletion
    the whole log is printed (saved as PDF from the browser) for the unit's archive.
    The unit leader sees content here only when the log is closed or passive."""
    log = queries.load_log(g.log.id)
    refusal = domain.archive_refusal(current_user, log)
    if refusal is not None:
        return render_template("error.html", code=409, message=refusal), 409
    g.audit_object = log
    context = queries.log_page(log)
    context.update(archive_content.whole_log(log), printed_at=utcnow())
    return render_template("archive/print.html", **context)
