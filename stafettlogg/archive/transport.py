"""Where an archive package goes: `download` (the browser saves it) or `folder`
(written atomically into ARCHIVE_FOLDER, which the archive system imports from)."""

import logging
import os
import tempfile
import threading
import time
from pathlib import Path

TRANSPORTS = ("download", "folder")
RENAME_GRACE = 1.0  # seconds a rename already under way at the deadline is waited for
TEMPORARY_PREFIX = ".stafettlogg-"  # a package being written, hidden from the importer
LEFTOVER_SECONDS = 3600

logger = logging.getLogger(__name__)


class TransportError(Exception):
    pass


def write_atomically(folder: str | Path, name: str, data: bytes, *, timeout: float | None = None) -> Path:
    """Write to a hidden temporary file in the same folder, fsync, then rename: an
    importer watching the folder never sees a partial zip.

    With `timeout` (the outbox's, inside its claim: archive/outbox.write_limit), the
    write runs in a thread of its own and this returns by then, whatever the folder
    does: a network share that hangs or crawls raises TransportError (the package stays
    queued), and a write that finishes later never renames its file into place, so the
    sender that retries once the claim has gone stale never writes the package twice."""
    if not str(folder or "").strip():  # Path("") is the working directory: never write there
        raise TransportError("ARCHIVE_FOLDER is not set")
    folder = Path(folder)
    if timeout is None:
        return _write(folder, name, data, _Rename())
    rename = _Rename()
    outcome: dict = {}

    def work():
        try:
            outcome["target"] = _write(folder, name, data, rename, timeout)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting sender
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=f"archive-write-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not rename.give_up(timeout=RENAME_GRACE):
        # the rename itself is under way and hangs: whether the package is in place is not
        # known. The next attempt first looks (_holds): a package found in place is not
        # written again; one the archive has imported meanwhile is, and the archive gets it
        # twice, with the same external keys (package.py), by which it knows it has it.
        raise TransportError(f"ARCHIVE_FOLDER {folder}: the rename did not finish within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    if not rename.done:
        raise TransportError(f"ARCHIVE_FOLDER {folder}: writing the package took longer than {timeout:g} s")
    return outcome.get("target", folder / name)


class _Rename:
    """The one moment a package appears in the folder, decided once: either the writer
    renames its finished file into place, or the waiting sender gives up first and the
    writer then only removes its temporary file."""

    def __init__(self):
        self._lock = threading.Lock()
        self.done = False
        self.abandoned = False

    def __call__(self, tmp: str, target: Path) -> bool:
        with self._lock:
            if self.abandoned:
                return False
            os.replace(tmp, target)
            self.done = True
            return True

    def found_in_place(self) -> bool:
        """The package was in place before this write began: done, unless given up on."""
        with self._lock:
            if not self.abandoned:
                self.done = True
            return self.done

    def give_up(self, timeout: float) -> bool:
        """Stop a rename that has not happened yet. False when a rename holds the lock
        past `timeout` (under way, outcome unknown)."""
        if not self._lock.acquire(timeout=timeout):
            return False
        try:
            if not self.done:
                self.abandoned = True
            return True
        finally:
            self._lock.release()


def clear_leftovers(folder: Path, timeout: float | None) -> list[str]:
    """Remove this app's temporary files that no writer has touched for an hour (or twice
    the write's limit, if longer): a write given up on whose thread never came back, or a
    sender killed mid-write, left a partial zip of a child's log in the archive's share.
    A writer still hanging on one writes into a removed file and cannot rename it.
    Returns the names removed."""
    before = time.time() - max(LEFTOVER_SECONDS, 2 * (timeout or 0))
    removed = []
    for path in folder.glob(f"{TEMPORARY_PREFIX}*.part"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < before:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # another sender cleared it
            continue
        except OSError as exc:  # not ours to remove after all (permissions, a share's lock): the write goes on
            logger.warning("archive folder: could not remove the leftover %s: %s", path.name, exc)
    return removed


def clear_leftovers_within(folder: str | Path, timeout: float) -> None:
    """clear_leftovers on the timer's run, when nothing is written (a package given up on
    weeks ago): in a thread of its own, waited for at most ``timeout``, as a write is."""
    if str(folder or "").strip():
        worker = threading.Thread(target=_clear_if_there, args=(Path(folder), timeout), daemon=True)
        worker.start()
        worker.join(timeout)


def _clear_if_there(folder: Path, timeout: float) -> None:
    if folder.is_dir():
        clear_leftovers(folder, timeout)


def _write(folder: Path, name: str, data: bytes, rename: _Rename, timeout: float | None = None) -> Path:
    """Every look at the folder is here, in the writer's thread: a share that hangs on
    the first look keeps the sender no longer than the write's limit either."""
    if not folder.is_dir():
        raise TransportError(f"ARCHIVE_FOLDER {folder} is not a folder")
    clear_leftovers(folder, timeout)
    target = folder / name
    if _holds(target, data) and rename.found_in_place():
        # an earlier attempt's rename, given up on while it hung, put it in place after all
        return target
    fd, tmp = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        renamed = rename(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if not renamed:  # the sender gave up waiting: the package is not put in place
        Path(tmp).unlink(missing_ok=True)
        raise TransportError(f"ARCHIVE_FOLDER {folder}: given up on before the package was in place")
    _sync_folder(folder)
    return target


def _holds(target: Path, data: bytes) -> bool:
    try:
        return target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _sync_folder(folder: Path) -> None:
    """A file's creation, rename or removal survives a power cut once its folder is synced."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def take_back(folder: str | Path, name: str, data: bytes) -> bool:
    """Remove a package this app wrote, if the file under its name is still that package
    (the archive has not imported it yet, and no other package took the name). Returns
    whether it was removed; False also when the archive had already taken it."""
    target = Path(folder) / name
    try:
        if target.read_bytes() != data:
            return False
    except FileNotFoundError:
        return False
    target.unlink(missing_ok=True)
    _sync_folder(Path(folder))
    return True
