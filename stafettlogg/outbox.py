"""One way to deliver an outbox after commit: e-mail (mailer.py) and archive packages
(archive/outbox.py) are two Outboxes that differ only in what they deliver.

SECURITY.md: no network or disk waits inside a write transaction. A request writes an
outbox row in its own short transaction. A sender claims due rows in another (PostgreSQL:
FOR UPDATE SKIP LOCKED; everywhere: a conditional UPDATE only one sender can win),
commits, delivers with no transaction open, then records the outcome in a third. A
failed attempt is retried with backoff; after the configured number of attempts the row
is marked failed and kept with its error. A claim older than `stale_after` belongs to a
sender that died and is due again. A row its outbox says must not be delivered any more
(`cancelled_when`: mail to a person who has left) is cancelled at its turn, never sent.

Two ways in: a background thread right after the request that queued the row (the user
never waits), and a `flask send-…` command run every minute by a timer."""

import datetime as dt
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context

from stafettlogg.db import connected, db, is_sqlite, write_transaction
from stafettlogg.models import utcnow

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=1)
QUEUED, SENDING, FAILED = "queued", "sending", "failed"  # the same words in every outbox
CANCELLED = "cancelled"
WAITING = (QUEUED, SENDING, FAILED)  # not delivered, and may still be


def backoff(attempts: int, base_seconds: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: base, 2·base, 4·base … at most an hour."""
    return min(dt.timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def new_sender() -> str:
    """A name for one sender run, unique across app servers and processes."""
    return f"{socket.gethostname()[:30]}:{uuid.uuid4().hex[:16]}"


@dataclass
class Outbox:
    """An outbox table and how to deliver one of its rows.

    `send(row, config)` delivers or raises one of `errors`; `done` is the status of a
    delivered row and `on_done` the other columns it then gets. `enabled(config)` False
    leaves everything queued (no mail server configured)."""

    name: str  # "mail", "archive": the thread's name, the log lines, the request's list
    model: type
    done: str
    send: Callable
    errors: tuple
    max_attempts_key: str
    retry_seconds_key: str
    after_request_key: str  # config flag: try right after the request
    stale_after: Callable
    batch: int
    on_done: Callable = lambda: {}
    enabled: Callable = lambda config: True
    # an error trying again cannot mend (a mailbox that does not exist): given up on at once
    permanent: Callable = lambda exc: False
    # () -> a condition on the model's rows that must not be delivered any more, asked as
    # each row's turn comes (and by `cancel`); None: every row is delivered
    cancelled_when: Callable | None = None
    # (row, config) -> None: takes back what `send` delivered when the row turns out to
    # have been cancelled meanwhile (an archive package in the folder whose log was
    # deleted while it was written); None: a delivery cannot be taken back (an e-mail)
    take_back: Callable | None = None
    _threads: list = field(default_factory=list, repr=False)
    _threads_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ---------------------------------------------------------------- claim and record

    def claim(self, sender: str, *, ids=None, limit: int | None = None) -> list:
        """Claim due rows for this sender in one short transaction and commit."""
        model, now = self.model, utcnow()
        due = (model.status == QUEUED) & (model.next_attempt_at.is_null() | (model.next_attempt_at <= now))
        abandoned = (model.status == SENDING) & (model.claimed_at < now - self.stale_after(current_app.config))
        with write_transaction():
            query = model.select(model.id, model.status, model.claimed_by).where(due | abandoned)
            if ids is not None:
                query = query.where(model.id.in_(list(ids)))
            query = query.order_by(model.id).limit(limit or self.batch)
            if not is_sqlite():
                query = query.for_update(skip_locked=True)
            won = [
                row.id
                for row in list(query)
                if model.update(status=SENDING, claimed_by=sender, claimed_at=now)
                .where(model.id == row.id, model.status == row.status, model.claimed_by == row.claimed_by)
                .execute()
            ]
        return list(model.select().where(model.id.in_(won or [0])).order_by(model.id))

    def renew(self, row, sender: str) -> str | None:
        """Just before its turn, the claim on one row of a batch is made fresh, if this
        sender still holds it: a long batch (a slow mail server) never lets a row go
        stale while it waits, and a row another sender took as stale, or that was
        cancelled or deleted with its log meanwhile, is not delivered by this one.
        SENDING: deliver it now; CANCELLED: it must not be delivered any more (and now
        never is); None: not this sender's any more."""
        mine = (self.model.id == row.id) & (self.model.claimed_by == sender)
        with write_transaction():
            if self.cancel(mine):
                return CANCELLED
            return SENDING if self.model.update(claimed_at=utcnow()).where(mine).execute() else None

    def cancel(self, *where) -> int:
        """Rows not yet delivered (among `where`) that `cancelled_when` says must not be
        delivered any more are cancelled: never sent, kept for the outbox page like a row
        given up on. In the caller's write transaction; returns how many."""
        if self.cancelled_when is None:
            return 0
        model = self.model
        return (
            model.update(status=CANCELLED, claimed_by="", next_attempt_at=None)
            .where(model.status.in_(WAITING), self.cancelled_when(), *where)
            .execute()
        )

    def record(self, row, sender: str, error: str | None, *, give_up: bool = False) -> str | None:
        """The outcome of one attempt, written only while this sender still holds the claim.
        Returns the outcome written, CANCELLED when the row was cancelled meanwhile (its
        log deleted, or replaced), None when another sender took it as stale: this
        attempt's outcome is then not the row's, and is not counted."""
        config = current_app.config
        attempts = row.attempts + 1
        if error is None:
            changes = {"status": self.done, "last_error": "", **self.on_done()}
        else:
            gave_up = give_up or attempts >= int(config[self.max_attempts_key])
            changes = {
                "status": FAILED if gave_up else QUEUED,
                "last_error": error[:1000],
                "next_attempt_at": None
                if gave_up
                else utcnow() + backoff(attempts, int(config[self.retry_seconds_key])),
            }
        with write_transaction():
            written = (
                self.model.update(claimed_by="", attempts=attempts, **changes)
                .where(self.model.id == row.id, self.model.claimed_by == sender)
                .execute()
            )
            if written:
                return changes["status"]
            now = self.model.select(self.model.status).where(self.model.id == row.id).scalar()
        return CANCELLED if now in (CANCELLED, None) else None

    # ---------------------------------------------------------------- deliver

    def empty_counts(self) -> dict:
        return {self.done: 0, QUEUED: 0, FAILED: 0}  # and CANCELLED, once a row was

    def deliver(self, *, ids=None, limit: int | None = None) -> dict:
        """Claim and deliver due rows (only `ids` when given). Returns counts by outcome.
        Never raises for a delivery problem: the row stays queued for the next try. Refuses
        to run inside the caller's transaction: its rows may not be committed yet, and the
        wait for the mail server or the share would hold the caller's locks."""
        if db.in_transaction():
            raise RuntimeError(f"{self.name}: deliver after commit, never inside a transaction")
        config = current_app.config
        counts = self.empty_counts()
        if not self.enabled(config):
            return counts
        sender = new_sender()
        with connected():
            claimed = self.claim(sender, ids=ids, limit=limit)
        for row in claimed:
            with connected():
                turn = self.renew(row, sender)
            if turn == CANCELLED:
                counts[CANCELLED] = counts.get(CANCELLED, 0) + 1
            if turn != SENDING:
                continue  # must not be delivered; or taken by another sender as stale, cancelled or deleted meanwhile
            error, permanent = None, False
            try:
                self.send(row, config)
            except self.errors as exc:
                error, permanent = f"{type(exc).__name__}: {exc}".strip(), self.permanent(exc)
            except Exception as exc:  # a fault of this row's own: it fails, not the rows claimed with it
                logger.exception("%s %s could not be delivered", self.name, row.id)
                error = f"{type(exc).__name__}: {exc}".strip()
            with connected():
                outcome = self.record(row, sender, error, give_up=permanent)
            if outcome == CANCELLED and error is None and self.take_back is not None:
                self._take_back(row, config)  # no transaction open: it may wait for the disk
            if outcome is not None:
                counts[outcome] = counts.get(outcome, 0) + 1
            if error:
                logger.warning("%s %s not delivered (attempt %s): %s", self.name, row.id, row.attempts + 1, error)
        return counts

    def _take_back(self, row, config) -> None:
        """The hook says whether it took the delivery back (False: it was gone already,
        the hook having told the operator so); only a delivery taken back is logged as such."""
        try:
            taken = self.take_back(row, config)
        except Exception:  # noqa: BLE001 - the operator is told in the log; the next row goes on
            logger.exception(
                "%s %s was cancelled while it was delivered and could not be taken back", self.name, row.id
            )
        else:
            if taken:
                logger.warning("%s %s was cancelled while it was delivered: taken back", self.name, row.id)

    def deliver_all_due(self) -> dict:
        """Deliver everything that is due, batch after batch, until nothing due is left."""
        total = self.empty_counts()
        while True:
            counts = self.deliver()
            for key, value in counts.items():
                total[key] = total.get(key, 0) + value
            if sum(counts.values()) < self.batch:
                return total

    # ---------------------------------------------------------------- after the request

    @property
    def _request_key(self) -> str:
        return f"{self.name}_after_request"

    def deliver_after_request(self, row_id: int) -> None:
        """Remember the row so the request tries it once its transaction has committed."""
        if has_request_context():
            g.setdefault(self._request_key, []).append(row_id)

    def init_app(self, app) -> None:
        @app.after_request
        def _deliver_after_commit(response):
            ids = g.pop(self._request_key, None)
            if ids and self.enabled(app.config) and app.config.get(self.after_request_key, True):
                self.start_background_delivery(app, ids)
            return response

    def start_background_delivery(self, app, ids) -> threading.Thread:
        """Try the request's rows once, in a thread: the response never waits for the
        mail server or the archive's folder. What fails here stays queued for the timer."""

        def run():
            with app.app_context():
                try:
                    self.deliver(ids=ids)
                except Exception:  # the database may be down too: the timer retries
                    logger.exception("immediate %s delivery failed; the outbox keeps the rows", self.name)

        thread = threading.Thread(target=run, name=f"stafettlogg-{self.name}", daemon=True)
        with self._threads_lock:
            self._threads[:] = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return thread

    def wait_for_background_delivery(self, timeout: float = 30.0) -> None:
        """For tests and clean shutdown: wait until the immediate attempts have finished."""
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
