"""Private files in safe folders: folders this tool creates are 0700 and its files 0600 from the
moment they exist; a folder it is given keeps its mode, but one that others could tamper with
is refused, and so is a record file of another user's, one others can write, or one reached
through a symlink that others could have planted. A file named after an order gets its name
from `artifact_path` only."""
from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TextIO

from automation.errors import BadInput
from pages.common import is_order_number, shown

RUN_ID = re.compile(r"[0-9a-f]{12}")  # as every run makes its id: uuid4's first 12 hex digits
RUN_FOLDER = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{12}")  # <UTC start>-<run id>
# what may follow the order number in a file's name: plain words, then the extension ("-error.png")
_SUFFIX = re.compile(r"(?:-[a-z]{1,20}){0,3}\.[a-z]{2,5}")  # short: a name stays far below 255 bytes


class UnsafeFolder(BadInput):
    """A folder the tool will not write secrets or evidence into; the message is one line."""


class UnsafeName(BadInput):
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


def run_folder(parent: Path, started: datetime, run_id: str) -> Path:
    """The folder `<UTC start>-<run id>` (`20261201T235012Z-3f2a9c1d0b7e`) directly in `parent`:
    the only way a run's own folder is named, from its start and its id, never from a store's text.
    The name sorts by time, and no two runs share one."""
    if not RUN_ID.fullmatch(run_id):
        raise UnsafeName(f"no folder is named after the run id {shown(run_id)}: not 12 hex digits")
    if started.tzinfo is None:
        raise ValueError("a run's start needs its time zone")
    return parent / f"{started.astimezone(UTC):%Y%m%dT%H%M%SZ}-{run_id}"


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


class UnsafeFile(BadInput):
    """A file the tool will not trust with its records; the message is one line."""


MAX_LINKS = 40  # as the kernel's own limit: more is a loop


def follow_trusted_links(path: Path, what: str) -> Path:
    """The path with every symlink on it followed, each one judged before it is followed: a link
    counts only in a folder that no one but this user (or root) can write to or owns, since in a
    shared folder (sticky /tmp) anyone may have planted it. The real path is returned (its last
    parts may not exist yet), so that a file opened there with O_NOFOLLOW is the one judged."""
    rest = list((path if path.is_absolute() else Path.cwd() / path).parts[1:])
    here, links = Path("/"), 0
    while rest:
        name = rest.pop(0)
        if name == "..":  # after the links before it, as the kernel reads it
            here = here.parent
            continue
        step = here / name
        try:
            info = step.lstat()
        except FileNotFoundError:  # nothing further can be a link: the rest is plain names
            return Path(os.path.normpath(step.joinpath(*rest)))
        if not stat.S_ISLNK(info.st_mode):
            here = step
            continue
        links += 1
        if links > MAX_LINKS:
            raise UnsafeFile(f"cannot use the {what} {path}: too many symlinks on its way")
        _judge_link(step, path, what)
        target = Path(os.readlink(step))
        if target.is_absolute():
            here = Path("/")
        rest = [*target.parts[1 if target.is_absolute() else 0:], *rest]
    return here


def _judge_link(link: Path, given: Path, what: str) -> None:
    folder = link.parent.lstat()  # already real: every link before it was followed
    if folder.st_uid not in (os.geteuid(), 0) or folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_ISVTX):
        raise UnsafeFile(f"cannot use the {what} {given}: it is reached through the symlink {link}, in a folder "
                         "that other users can write to or own; give the real path of a file of your own")


def judge_private_file(info: os.stat_result, path: Path, what: str) -> None:
    """A file the tool keeps its records in: a regular file of this user that no one else can write."""
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"cannot use the {what} {path}: it is not a regular file")
    if info.st_uid != os.geteuid():
        raise UnsafeFile(f"cannot use the {what} {path}: it belongs to another user (uid {info.st_uid}); use a "
                         "file of your own")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeFile(f"cannot use the {what} {path}: other users can write to it (mode "
                         f"{stat.S_IMODE(info.st_mode):o}); use a file of your own, not writable by others")


def open_private_file(path: Path, what: str) -> int:
    """A descriptor on the file at this real path (created 0600 if missing), never through a
    symlink, and judged on what was opened (fstat), not on what the path showed a moment before."""
    # O_NONBLOCK: a planted FIFO must not hang the run before it is judged
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    try:
        judge_private_file(os.fstat(fd), path, what)
    except BaseException:
        os.close(fd)
        raise
    return fd


class LockedFile:
    """A private file that one process at a time reads and appends to: opened as `open_private_file`
    (created 0600, never through a symlink, judged), under an exclusive lock (flock) until the
    block ends. Lines appended are never interleaved or lost, and what is read in the block holds
    every line appended before it, so a file made from it by the holder is never older than another
    run's."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self.fd = -1

    def __enter__(self) -> LockedFile:
        self.fd = open_private_file(self.path, self.what)
        try:
            os.set_blocking(self.fd, True)  # opened non-blocking against a planted FIFO; it is a file
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # waits for the run ahead, which holds it for milliseconds
        except BaseException:
            os.close(self.fd)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        os.close(self.fd)  # and the lock with it

    def append(self, data: bytes) -> None:
        os.lseek(self.fd, 0, os.SEEK_END)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def read(self) -> bytes:
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(self.fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)


NO_SYMLINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL}


def replace_symlink(link: Path, target: str) -> str | None:
    """Point `link` at `target` (a name in the same folder: a relative link, which survives the
    folder being moved or copied), replaced atomically: a reader finds the old link or the new one,
    never none. A `link` that is not a symlink (a file or folder someone put there) is left alone.
    None when done, else why not (a file system without symlinks: FAT, exFAT, some SMB shares)."""
    if "/" in target or target in ("", ".", ".."):
        raise UnsafeName(f"a link in {shown(str(link.parent))} points only to a name beside it, not {shown(target)}")
    try:
        if not stat.S_ISLNK(link.lstat().st_mode):
            return f"{link} is not a symlink, so it is left as it is"
    except FileNotFoundError:
        pass
    temporary = link.parent / f".{link.name}.{os.getpid()}.{os.urandom(4).hex()}"
    try:
        os.symlink(target, temporary)
    except OSError as exc:
        if exc.errno in NO_SYMLINKS:
            return f"the file system of {link.parent} takes no symlinks ({exc.strerror})"
        raise
    try:
        os.replace(temporary, link)
    except OSError as exc:  # in a shared sticky folder, another user's `latest` cannot be replaced
        temporary.unlink(missing_ok=True)
        return f"{link} could not be replaced ({exc.strerror})"
    return None


def open_log_file(path: Path) -> TextIO:
    """The file log lines are appended to: created 0600 (its folder 0700, if missing), reached through
    no symlink that others could have planted, and a regular file of this user's that no one else
    can write. Raises OSError, or a BadInput (UnsafeFile, UnsafeFolder) for one the tool will not trust."""
    real = follow_trusted_links(path, "log file")
    if not real.parent.exists():
        ensure_folder(real.parent, "log folder")
    fd = os.open(real, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    try:
        judge_private_file(os.fstat(fd), path, "log file")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)
