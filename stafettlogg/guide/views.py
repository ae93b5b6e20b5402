"""The decision guide page: a GET form, one question per step, works without JavaScript."""

from flask import Blueprint, render_template, request

from stafettlogg.guide.domain import load_guide, walk

bp = Blueprint("guide", __name__)


@bp.route("/veileder")
def guide():
    answers = {key: value for key, value in request.args.items() if key in load_guide()["questions"]}
    step = walk(answers)
    # the guide opened from a log: only the number travels; the answer is saved by a
    # POST to the log, which checks the caller's role on it
    log_id = request.args.get("logg", type=int)
    return render_template("guide/guide.html", step=step, guide=load_guide(), log_id=log_id)
