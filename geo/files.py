"""Files a user names: the one way such a file is read, and the one way an output is written.

Reading (:func:`read_bounded`): a regular file only (a folder, named pipe, device or socket is refused at once,
before anything is opened that could block or never end), its size checked before reading, and at most the
limit and one byte read, so a sparse file of a gigabyte or ``/dev/zero`` costs nothing.

Writing (:func:`check_output`, then :meth:`OutputFile.write`): the target is resolved through links and refused
when it is a file the command reads (or the tool's own data); the content goes to a temporary file in the same
folder that replaces the target only once complete (``os.replace``), so a failed write (disk full, file-size
limit, a name too long, a read-only folder) leaves no partial file and the previous output as it was. Every
``OSError`` becomes an :class:`~geo.errors.InputDataError` naming the file and the reason.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from geo.errors import InputDataError

NAME_MAX = 255
"""Longest file name (bytes) assumed when the folder's own limit cannot be asked."""
_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def regular_file(path: str | os.PathLike, what: str) -> os.stat_result:
    """The status of an existing, readable regular file given by a user (links followed).

    Raises
    ------
    InputDataError
        If the path does not exist, is a folder, a named pipe, a device or a socket, or cannot be read.
    """
    text = os.fspath(path)
    try:
        status = os.stat(text)
    except (FileNotFoundError, NotADirectoryError):
        raise InputDataError(f"The {what} {text!r} does not exist. Check the path.") from None
    except OSError as error:
        raise InputDataError(f"The {what} {text!r} cannot be read ({_reason(error)}).") from error
    if stat.S_ISDIR(status.st_mode):
        raise InputDataError(f"The {what} {text!r} is a folder, not a file. Give the file inside it.")
    if not stat.S_ISREG(status.st_mode):
        kind = _KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")
        raise InputDataError(f"The {what} {text!r} is {kind}, not a file saved on disk: it is not read. Save the data "
                             f"as a file and give that.")
    if not os.access(text, os.R_OK):
        raise InputDataError(f"The {what} {text!r} cannot be read (permissions). Copy it somewhere readable.")
    return status


def read_bounded(path: str | os.PathLike, *, what: str, max_bytes: int, check_size: Callable[[int], None]) -> bytes:
    """A user's file read whole, refused past ``max_bytes`` before it is read.

    Parameters
    ----------
    path : str or PathLike
    what : str
        The file's role, for messages ("client list").
    max_bytes : int
        The most bytes read: at most ``max_bytes + 1`` are ever read, whatever the file claims or holds.
    check_size : callable
        Called with the file's size before reading (and with the bytes read, should the file have grown past
        ``max_bytes`` meanwhile); raises the caller's message for a size over the limit.

    Raises
    ------
    InputDataError
        As :func:`regular_file`, from ``check_size``, or if reading fails.
    """
    check_size(regular_file(path, what).st_size)
    text = os.fspath(path)
    try:
        # Not blocking: a file swapped for a named pipe since it was checked must not hang the read.
        descriptor = os.open(text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                raise InputDataError(f"The {what} {text!r} is no longer a regular file: it is not read.")
            check_size(status.st_size)
            pieces, remaining = [], max_bytes + 1
            while remaining > 0 and (piece := os.read(descriptor, min(remaining, 1 << 20))):
                pieces.append(piece)
                remaining -= len(piece)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise InputDataError(f"The {what} {text!r} could not be read ({_reason(error)}).") from error
    content = b"".join(pieces)
    if len(content) > max_bytes:
        check_size(len(content))
        raise InputDataError(f"The {what} {text!r} grew past {max_bytes:,} bytes while it was read.")
    return content


# --- Writing ------------------------------------------------------------------------------------------------------


@contextmanager
def replaced_whole(target: Path) -> Iterator[Path]:
    """A path to write the tool's own file to (a council's layer, settings, a pack table, a road extract, a cache
    index): in a new folder beside ``target``, under ``target``'s name (writers that pick the format by the name, or
    refuse to overwrite, work unchanged), moved over ``target`` only when the block ends without an error. A reader
    never sees half a file; the folder goes either way. (Users' outputs take :meth:`Output.write`, which also refuses
    inputs and explains failures.)"""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".writing-", dir=target.parent) as folder:
        partial = Path(folder) / target.name
        yield partial
        os.replace(partial, target)


def _same_file(target: Path, other: Path) -> bool:
    """True when two paths are one file: the same resolved path, or the same file through a hard link."""
    if target == other:
        return True
    try:
        return os.path.samefile(target, other)
    except OSError:
        return False


def _tool_folders() -> list[Path]:
    """Folders whose files the tool itself reads (its data, councils and caches): never an output."""
    from geo.settings import settings

    folders = [settings.data_folder, settings.councils_folder, settings.setup_data_folder,
               settings.setup_councils_folder, settings.cache_folder]
    return [Path(folder).resolve() for folder in folders]


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return NAME_MAX


@dataclass(frozen=True)
class OutputFile:
    """An output a command or function may write: where the user named it, where it resolves, and what is read
    (so that it never overwrites an input). Made by :func:`check_output`."""

    path: Path
    what: str
    inputs: tuple[tuple[str, Path], ...] = ()

    def __str__(self) -> str:
        return str(self.path)

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    @property
    def suffix(self) -> str:
        return self.path.suffix

    def target(self) -> Path:
        """The file that will be replaced: the path with its links resolved, checked against the inputs.

        Raises
        ------
        InputDataError
            If it is one of the inputs (directly or through a link), the tool's own data, or not a regular file.
        """
        text = str(self.path)
        target = self.path.resolve()
        for what, path in self.inputs:
            if _same_file(target, Path(path).resolve()):
                raise InputDataError(f"The {self.what} {text!r} is the {what} {str(path)!r} this command reads "
                                     f"(directly or through a link): writing it would destroy the input. Choose "
                                     f"another file name.")
        for folder in _tool_folders():
            if folder == target or folder in target.parents:
                raise InputDataError(f"The {self.what} {text!r} is inside the tool's own data ({folder}), which it "
                                     f"reads: choose a folder of yours.")
        if target.exists() and not target.is_file():
            raise InputDataError(f"The {self.what} {text!r} exists and is not a regular file: choose a file name.")
        return target

    def write(self, content: bytes | Callable[[], bytes]) -> Path:
        """Write ``content`` (bytes, or a function making them, whose failure to write its own temporary files is
        reported too) in place of the target, all at once; return the file written.

        Raises
        ------
        InputDataError
            If the content cannot be made or written; nothing partial is left, and a previous file of that name
            is kept as it was.
        """
        text = str(self.path)
        if callable(content):
            try:
                content = content()
            except OSError as error:
                raise InputDataError(f"The {self.what} {text!r} could not be made ({_reason(error)}) while its "
                                     f"content was prepared in the temporary folder {tempfile.gettempdir()}. Free "
                                     f"some space there (or set TMPDIR to another folder) and run again.") from error
        target = self.target()
        temporary = None
        try:
            descriptor, temporary = tempfile.mkstemp(prefix=".caremap-", suffix=".part", dir=target.parent)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), _mode_for(target))
            os.replace(temporary, target)
            temporary = None
        except OSError as error:
            raise InputDataError(_write_failure(self.what, text, error)) from error
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
        return target


def _mode_for(target: Path) -> int:
    """The permissions the output gets: the replaced file's, else what a new file gets under the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_failure(what: str, text: str, error: OSError) -> str:
    advice = {errno.ENOSPC: "Free some space on that disk or choose another.",
              errno.EDQUOT: "Free some space on that disk or choose another.",
              errno.EFBIG: "The file is larger than this system lets a file be (a file-size limit): choose another "
                           "disk, or ask for a smaller output.",
              errno.ENAMETOOLONG: "Choose a shorter file name.",
              errno.EROFS: "That disk is read-only: choose a folder you can write to.",
              errno.EACCES: "Choose a folder you can write to.", errno.EPERM: "Choose a folder you can write to."}
    return (f"The {what} {text!r} could not be written ({_reason(error)}); nothing was written and any earlier file "
            f"of that name is unchanged. {advice.get(error.errno, 'Choose another folder.')}")


def check_output(text: str | os.PathLike, *, what: str, suffixes: Sequence[str] = (),
                 inputs: Sequence[tuple[str, str | os.PathLike | None]] = ()) -> OutputFile:
    """An output file a user named, checked before anything is computed.

    Parameters
    ----------
    text : str or PathLike
        The path as given.
    what : str
        Its role, for messages ("report file").
    suffixes : sequence of str
        Accepted suffixes, lower case (empty: any).
    inputs : sequence of (str, path or None)
        The files the command reads, each with its role; None entries are skipped.

    Raises
    ------
    InputDataError
        For an empty name, a folder, a wrong suffix, a missing or unwritable folder, a name longer than the folder
        takes, or a file the command reads (directly or through a link).
    """
    text = os.fspath(text)
    if not text.strip():
        raise InputDataError(f"No file name was given for the {what}. Give one, e.g. "
                             f"{'out' + (suffixes[0] if suffixes else '.csv')}.")
    try:
        return _checked_output(text, what, suffixes, inputs)
    except OSError as error:  # a name the system cannot even look up (too long, a loop of links…)
        raise InputDataError(_write_failure(what, text, error)) from error


def _checked_output(text: str, what: str, suffixes: Sequence[str],
                    inputs: Sequence[tuple[str, str | os.PathLike | None]]) -> OutputFile:
    path = Path(text)
    folder = path.parent
    longest = _name_max(folder) if folder.is_dir() else NAME_MAX
    if len(os.fsencode(path.name)) > longest:
        raise InputDataError(f"The file name of the {what} is {len(os.fsencode(path.name)):,} bytes long; the folder "
                             f"takes names of at most {longest}. Choose a shorter name.")
    if text.endswith(os.sep) or path.is_dir():
        example = path / ("out" + (suffixes[0] if suffixes else ".csv"))
        raise InputDataError(f"The {what} {text!r} is a folder. Give a file name, e.g. {example}.")
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputDataError(f"The {what} {text!r} should end in {' or '.join(suffixes)}.")
    if not folder.is_dir():
        raise InputDataError(f"The folder of the {what} ({folder}) does not exist. Create it or choose another.")
    output = OutputFile(path, what, tuple((role, Path(given)) for role, given in inputs if given is not None))
    target = output.target()
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InputDataError(f"The {what} {text!r} cannot be written (permissions). Choose a folder you can write to.")
    return output
