"""Writing outputs without ever losing a user's file, leaking personal data or a live formula.

- Output folders are written as a private temporary sibling (``.NAME.zhucun-tmp-…``, 0700)
  and renamed into place. An existing folder is replaced only when zhucun wrote it (its
  ``manifest.json`` says ``"tool": "zhucun"``) and it holds only files zhucun writes; any
  other non-empty folder, a file, a symbolic link, the current folder, an input or a folder
  holding an input is refused before any work is done (:func:`folder_problems`).
- Temporary names carry the host and process id, so the next run removes what a killed run
  left behind (:func:`clean_stale`) and puts back a previous output a kill caught between
  the two renames of a replacement.
- Every file we write is private (0600, folders 0700): created so, never widened by chmod,
  and the umask is never changed.
- Text that a spreadsheet would run as a formula is written as text: see
  :mod:`optimizer.plans.formulas`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.data.errors import InputError, Problem

HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TEMP = re.compile(
    r"^\.(?P<name>.+)\.zhucun-(?P<kind>tmp|old)-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[0-9a-f]{6}$",
    re.DOTALL,
)
OUR_FILES = frozenset(
    {
        "plan.csv",
        "teams.csv",
        "unstaffed.csv",
        "kpis.json",
        "manifest.json",
        "plan.xlsx",
        "changes.csv",
        "recall.csv",
        "verify.csv",
        "verify.xlsx",
        "scenario.yaml",
        "policy.yaml",
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
    }
)
"""Files zhucun writes into a plan or run folder (``verify.csv``, ``verify.xlsx`` by ``zhucun verify``), and
folder metadata file managers add (nothing of the user's)."""
_OUR_EXTRA = re.compile(r"^compare(-[^/]*)?\.(csv|xlsx|png)$")
"""Comparison outputs, when a comparison was written into a run folder."""
DATASET_DIR = "dataset"
"""A run folder's copy of the dataset it solved: CSV files only."""
_SHOWN = 5


# --------------------------------------------------------------------------- temporary names


def temp_name(name: str, kind: str = "tmp") -> str:
    """A hidden sibling name for ``name`` that :func:`clean_stale` recognises as ours."""
    return f".{name}.zhucun-{kind}-{HOST}-{os.getpid()}-{secrets.token_hex(3)}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def clean_stale(parent: Path) -> None:
    """Remove what killed zhucun runs on this host left in ``parent``: temporary folders and
    files, and a previous output moved aside; that one goes back if nothing replaced it."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or m["host"] != HOST or _alive(int(m["pid"])):
            continue
        path = Path(entry.path)
        home = path.with_name(m["name"])
        if m["kind"] == "old" and not (home.exists() or home.is_symlink()):
            os.replace(path, home)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- folders


def _absolute(path: str | Path) -> Path:
    """Absolute, with ``..`` and ``.`` removed (symbolic links are not followed)."""
    return Path(os.path.abspath(path))


def is_zhucun_folder(folder: Path) -> bool:
    """True when ``manifest.json`` in ``folder`` says zhucun wrote it."""
    try:
        doc = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("tool") == "zhucun"


def foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` zhucun did not write (sub-folders end in ``/``), sorted."""
    ours = is_zhucun_folder(folder)
    foreign = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        is_dir = entry.is_dir(follow_symlinks=False)
        shown = entry.name + ("/" if is_dir else "")
        if not ours or entry.is_symlink():
            foreign.append(shown)
        elif is_dir and entry.name == DATASET_DIR:
            inner = list(os.scandir(entry.path))
            if any(
                not (e.is_file(follow_symlinks=False) and e.name.endswith(".csv")) for e in inner
            ):
                foreign.append(shown)
        elif is_dir or not (entry.name in OUR_FILES or _OUR_EXTRA.match(entry.name)):
            foreign.append(shown)
    return foreign


def _listed(names: list[str]) -> str:
    more = f", … {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def _place_problem(out: Path, inputs: Iterable[str | Path | None]) -> str | None:
    """Why ``out`` is the wrong place for an output folder, whatever is in it."""
    if out.is_symlink():
        return "is a symbolic link: choose a real folder for the output"
    if out.exists() and not out.is_dir():
        return "is a file, not a folder: choose a new folder for the output"
    real = Path(os.path.realpath(out))  # through any linked folder above it
    cwd = Path(os.path.realpath(Path.cwd()))
    if out.parent == out or cwd == real or cwd.is_relative_to(real):
        return "is the current folder or holds it: choose a new folder for the output"
    out = real
    for given in inputs:
        if given is None:
            continue
        src = Path(os.path.realpath(given))
        if out == src:
            return f"is the input {given}: choose a new folder for the output"
        if out.is_relative_to(src):
            return f"is inside the input {given}: choose a folder outside it for the output"
        if src.is_relative_to(out):
            return f"holds the input {given}: choose a new folder for the output"
    return None


def folder_problems(out: str | Path, inputs: Iterable[str | Path | None] = ()) -> list[Problem]:
    """Why an output folder may not be written at ``out`` (empty: it may). ``inputs``: the
    files and folders the command reads, which an output must neither be in nor hold."""
    given, out = out, _absolute(out)
    why = _place_problem(out, inputs)
    if why is None:
        above = out.parent
        while not above.exists() and above.parent != above:
            above = above.parent
        if not above.is_dir():
            why = f"cannot be made: {above} is a file"
        elif not os.access(above, os.W_OK | os.X_OK):
            why = f"cannot be written: no permission to write in {above}"
        elif out.is_dir():
            foreign = foreign_entries(out)
            if foreign:
                why = (
                    f"holds files zhucun did not write ({_listed(foreign)}): choose a new "
                    "folder for the output"
                )
    return [Problem(str(given), why)] if why else []


def check_folder(out: str | Path, inputs: Iterable[str | Path | None] = ()) -> None:
    """Raise :class:`InputError` unless an output folder may be written at ``out``."""
    problems = folder_problems(out, inputs)
    if problems:
        raise InputError(problems)


def make_private(root: Path) -> None:
    """Take group and other access away from ``root`` and everything in it (narrowing only)."""
    os.chmod(root, os.stat(root).st_mode & 0o700)
    for here, dirs, files in os.walk(root):
        for d in dirs:
            p = os.path.join(here, d)
            os.chmod(p, os.lstat(p).st_mode & 0o700)
        for f in files:
            p = os.path.join(here, f)
            if not os.path.islink(p):
                os.chmod(p, os.lstat(p).st_mode & 0o600)


def make_folder(folder: Path) -> None:
    """A folder for several outputs: made private (0700) if new, left as it is if not."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)


@contextmanager
def staged_folder(out: str | Path, inputs: Iterable[str | Path | None] = ()) -> Iterator[Path]:
    """Yield a private temporary sibling of ``out`` to fill; on success it replaces ``out``
    (see :func:`replace_folder`); on failure it is removed and ``out`` is untouched."""
    out = _absolute(out)
    check_folder(out, inputs)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out.parent)
    tmp = out.with_name(temp_name(out.name))
    os.mkdir(tmp, 0o700)
    try:
        yield tmp
        make_private(tmp)
        replace_folder(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def replace_folder(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` at ``out`` by renames, so ``out`` is never half-written.
    An older ``out`` (zhucun's own, else refused) is moved aside first and removed last; a
    kill between the renames leaves it aside, where the next run puts it back."""
    out = _absolute(out)
    if not (out.exists() or out.is_symlink()):
        os.replace(tmp, out)
        return
    check_folder(out)
    if not any(out.iterdir()):
        os.replace(tmp, out)  # over an empty folder
        return
    old = out.with_name(temp_name(out.name, "old"))
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- single files


def csv_starts_with(columns: list[str]) -> Callable[[Path], bool]:
    """A test that a CSV file's header begins with ``columns`` (a file zhucun wrote)."""

    def test(path: Path) -> bool:
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                head = fh.readline().rstrip("\r\n").split(",")
        except OSError:
            return False
        return head[: len(columns)] == columns

    return test


@contextmanager
def private_file(path: str | Path, ours: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """Yield an empty private (0600) temporary sibling of ``path`` to write; on success it
    replaces ``path`` in one rename. ``ours``: when given, an existing file is replaced only
    if it says yes (zhucun wrote it); a folder or symbolic link is always refused."""
    path = _absolute(path)
    why = None
    if path.is_symlink():
        why = "is a symbolic link: choose a new file name for the output"
    elif path.is_dir():
        why = "is a folder: name a file for the output"
    elif path.exists() and ours is not None and not ours(path):
        why = "holds data zhucun did not write: choose a new file name for the output"
    if why:
        raise InputError([Problem(str(path), why)])
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent)
    tmp = path.with_name(temp_name(path.name))
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """A private UTF-8 text file, written at once (inside a staged folder)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


__all__ = [
    "check_folder",
    "clean_stale",
    "csv_starts_with",
    "folder_problems",
    "make_folder",
    "private_file",
    "replace_folder",
    "staged_folder",
    "write_text",
]
