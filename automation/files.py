"""Private files in safe folders: folders this tool creates are 0700 and its files 0600 from the
moment they exist; a folder it is given keeps its mode, but one that others could tamper with
is refused. A file named after an order gets its name from `artifact_path` only."""
from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from pages.common import is_order_number, shown

# what may follow the order number in a file's name: plain words, then the extension ("-error.png")
_SUFFIX = re.compile(r"(?:-[a-z]{1,20}){0,3}\.[a-z]{2,5}")  # short: a name stays far below 255 bytes


class UnsafeFolder(ValueError):
    """A folder the tool will not write secrets or evidence into; the message is one line."""


class UnsafeName(ValueError):
    """A file name the tool will not make: its order id or label is not what it must be."""


def artifact_path(folder: Path, order_id: str | None, suffix: str) -> Path:
    """The file `<order_id><suffix>` directly in the folder (`run<suffix>` for the run's own work,
    of no one order: None): the only way a file is named after an order. The id must be an order
    number (ids also come from store pages and journal files) and the suffix plain words with an
    extension; the result is checked to stay in the folder."""
    if order_id is not None and not is_order_number(order_id):
        raise UnsafeName(f"no file is named after {shown(order_id)}: not an order number")
    if not _SUFFIX.fullmatch(suffix):
        raise UnsafeName(f"no file is named with the label {shown(suffix)}: not plain words and an extension")
    path = folder / f"{order_id or 'run'}{suffix}"
    if path.resolve().parent != folder.resolve():
        raise UnsafeName(f"{shown(str(path))} would not be directly in {shown(str(folder))}")
    return path


def ensure_folder(path: Path, what: str = "folder") -> Path:
    """The folder, created 0700 (with any missing parents) if it does not exist. An existing one is
    left as it is, but must be a real folder (not a symlink), owned by this user (or a root-owned
    sticky folder such as /tmp), and not writable by others unless sticky."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        try:
            path.mkdir(parents=True, mode=0o700)
        except FileExistsError:  # made meanwhile by another process: judge it like any existing folder
            return ensure_folder(path, what)
        os.chmod(path, 0o700)  # mkdir's mode passes through the umask; this one is exact
        return path
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFolder(f"cannot use the {what} {path}: it is a symlink; give the folder it points to")
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeFolder(f"cannot use the {what} {path}: it is not a folder")
    sticky = bool(info.st_mode & stat.S_ISVTX)
    if info.st_uid != os.geteuid() and not (info.st_uid == 0 and sticky):
        raise UnsafeFolder(f"cannot use the {what} {path}: it belongs to another user (uid {info.st_uid}); use a "
                           "folder of your own")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not sticky:
        raise UnsafeFolder(f"cannot use the {what} {path}: it is writable by other users (mode "
                           f"{stat.S_IMODE(info.st_mode):o}) and not sticky; use a private folder")
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write atomically through a 0600 temporary file in the same folder, then rename."""
    ensure_folder(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
