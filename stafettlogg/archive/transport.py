"""Where an archive package goes: `download` (the browser saves it) or `folder`
(written atomically into ARCHIVE_FOLDER, which the archive system imports from)."""

import os
import tempfile
from pathlib import Path

TRANSPORTS = ("download", "folder")


class TransportError(Exception):
    pass


def write_atomically(folder: str | Path, name: str, data: bytes) -> Path:
    """Write to a hidden temporary file in the same folder, fsync, then rename: an
    importer watching the folder never sees a partial zip."""
    if not str(folder or "").strip():  # Path("") is the working directory: never write there
        raise TransportError("ARCHIVE_FOLDER is not set")
    folder = Path(folder)
    if not folder.is_dir():
        raise TransportError(f"ARCHIVE_FOLDER {folder} is not a folder")
    target = folder / name
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return target


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
