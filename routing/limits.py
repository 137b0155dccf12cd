"""How much road data a build may take on, checked before the expensive step, and safe names for messages.

An OpenStreetMap file can be small on disk and huge once read: ``.osm.pbf`` blocks are zlib-compressed and
a regular grid of roads compresses a thousandfold. So a build first reads the sizes the file declares
(:func:`pbf_declared_size`, without decompressing anything), then counts drivable ways and their nodes as
it reads them, and stops with a clear message as soon as a limit is passed.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geo.errors import InputDataError, RoadNetworkError
from geo.files import regular_file
from geo.units import in_great_britain_lonlat

BYTES_PER_WAY_NODE = 600
"""Peak memory of the streaming builder per node reference of a drivable way (measured by ``bench/routing.py``:
about 560 bytes on a dense grid, 680 on Rutland with its file-wide location index)."""
BYTES_PER_FILE_NODE = 16
"""Memory of the location index per node of the file (osmium's sparse array: id and location)."""

FREE_WAY_NODES = 100_000
"""Node references in drivable ways any file may hold, however small (about 60 MB to build)."""
MIN_CONNECTED_SHARE = 0.01
"""Least share of a file's road nodes its largest strongly connected part must hold (where every junction can reach
every other: the part routes are measured on)."""

_MAX_BLOB_HEADER = 64 * 1024
_MAX_BLOB = 32 * 1024 * 1024  # the PBF format's own ceiling for one block, compressed or not
_NAME_LIMIT = 80


@dataclass(frozen=True)
class RoadLimits:
    """Ceilings on one road-network build.

    Attributes
    ----------
    max_file_bytes : int
        Largest file accepted, bytes on disk.
    max_decompressed_bytes : int
        Largest total of a ``.osm.pbf`` file's blocks once decompressed (as the file declares them), bytes.
        Bounds the time spent decompressing: about 1 s per 300 MB.
    max_way_nodes : int
        Most node references in drivable ways (each becomes a graph node or edge end). Bounds memory at
        about :data:`BYTES_PER_WAY_NODE` bytes each.
    max_file_nodes : int
        Most nodes in a ``.osm.pbf`` file, counted before their locations are indexed
        (:data:`BYTES_PER_FILE_NODE` bytes each).
    max_way_nodes_per_byte : float or None
        Most node references in drivable ways per byte of the file (None: no such limit), beyond the first
        :data:`FREE_WAY_NODES`. Real extracts take 50 bytes a reference (Rutland, all tags) or about 10 (roads
        only); a file packing more than two into a byte is a regular pattern made to be small on disk and huge
        in memory.
    """

    max_file_bytes: int = 2 * 1024**3
    max_decompressed_bytes: int = 6 * 1024**3
    max_way_nodes: int = 40_000_000
    max_file_nodes: int = 400_000_000
    max_way_nodes_per_byte: float | None = None

    def within(self, other: "RoadLimits") -> bool:
        """True when no ceiling here is above ``other``'s (None, no ceiling, is above any number): a file refused
        under ``other`` is refused under these too, whatever the reason."""
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None and (mine is None or mine > theirs):
                return False
        return True

    def way_node_cap(self, file_bytes: int) -> int:
        """Most node references in drivable ways for a file of ``file_bytes`` bytes."""
        if self.max_way_nodes_per_byte is None:
            return self.max_way_nodes
        return min(self.max_way_nodes, max(FREE_WAY_NODES, int(file_bytes * self.max_way_nodes_per_byte)))

    @classmethod
    def for_uploads(cls) -> "RoadLimits":
        """Limits for a file given in the app (Streamlit takes 50 MB): a county, not a country."""
        return cls(max_file_bytes=50 * 1024**2, max_decompressed_bytes=1024**3,
                   max_way_nodes=min(3_000_000, _memory_way_nodes()), max_file_nodes=40_000_000,
                   max_way_nodes_per_byte=2.0)

    @classmethod
    def for_machine(cls) -> "RoadLimits":
        """Limits for the command line: whatever half of this machine's free memory can hold."""
        half = available_memory_bytes() // 2
        return cls(max_way_nodes=min(cls.max_way_nodes, _memory_way_nodes()),
                   max_file_nodes=min(cls.max_file_nodes, max(1_000_000, half // (2 * BYTES_PER_FILE_NODE))))


def available_memory_bytes() -> int:
    """Memory this process could still use (``MemAvailable`` on Linux; a cautious 4 GB elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 4 * 1024**3


def _memory_way_nodes() -> int:
    return max(100_000, available_memory_bytes() // 2 // BYTES_PER_WAY_NODE)


def safe_name(name: str | os.PathLike, limit: int = _NAME_LIMIT) -> str:
    """A file name fit to quote in a message: letters, digits and ``._- `` only, shortened in the middle.

    Names come from users (an upload's name, a path on the command line) and messages are shown as
    Markdown in the app, so nothing that could be read as markup or a link survives.
    """
    text = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(str(name)).name).strip() or "the file"
    if len(text) > limit:
        keep = (limit - 1) // 2
        text = f"{text[:keep]}…{text[-keep:]}"
    return text


def safe_text(text: object, limit: int = 150) -> str:
    """Text from a file or a library's error, fit to quote in a message: no characters that Markdown or HTML
    could turn into a link, an image or a tag, shortened to ``limit`` characters."""
    cleaned = re.sub(r"[^A-Za-z0-9 .,:;'=/()_+-]+", " ", str(text)).strip()
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1] + "…"


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if position >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position += 1
        if not byte & 0x80:
            return value, position
        shift += 7


def _each_field(data: bytes | memoryview):
    """Top-level fields of a protobuf message, in order: (number, value), varints as ints, others as bytes."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value, position = _varint(data, position)
            yield number, value
        elif kind == 2:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise ValueError("field runs past the end")
            yield number, data[position:position + length]
            position += length
        elif kind in (1, 5):  # fixed 64 / 32 bits
            position += 8 if kind == 1 else 4
        else:
            raise ValueError(f"unexpected wire type {kind}")


def _fields(data: bytes) -> dict[int, int | bytes]:
    """Top-level fields of a small protobuf message (the last of each number)."""
    return dict(_each_field(data))


def _read_varint(handle) -> int:
    value = 0
    for shift in range(0, 64, 7):
        byte = handle.read(1)
        if not byte:
            raise ValueError("cut short")
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
    raise ValueError("bad varint")


def _blob_raw_size(handle, size: int) -> int:
    """Declared decompressed size of one blob, reading only its small fields (the data is skipped)."""
    end = handle.tell() + size
    raw_size = None
    while handle.tell() < end:
        key = _read_varint(handle)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value = _read_varint(handle)
            if number == 2:
                raw_size = value
        elif kind == 2:
            length = _read_varint(handle)
            if handle.tell() + length > end:
                raise ValueError("blob field runs past the blob")
            if number == 1:  # stored uncompressed
                raw_size = length
            handle.seek(length, os.SEEK_CUR)
        else:
            raise ValueError(f"unexpected wire type {kind} in a blob")
    if raw_size is None or handle.tell() != end:
        raise ValueError("blob without a size")
    return raw_size


def pbf_declared_size(path: str | Path) -> tuple[int, int]:
    """Number of blocks and total decompressed bytes a ``.osm.pbf`` file declares, without decompressing it.

    Raises
    ------
    RoadNetworkError
        If the block structure is damaged (the file is not a PBF, or was cut short).
    """
    path = Path(path)
    blocks = total = 0
    try:
        with open(path, "rb") as handle:
            file_size = os.fstat(handle.fileno()).st_size
            while handle.tell() < file_size:
                length_bytes = handle.read(4)
                if len(length_bytes) < 4:
                    raise ValueError("cut short")
                (length,) = struct.unpack(">I", length_bytes)
                if not 0 < length <= _MAX_BLOB_HEADER:
                    raise ValueError("bad block header length")
                header = _fields(handle.read(length))
                size = header.get(3)
                if not isinstance(size, int) or not 0 < size <= _MAX_BLOB or handle.tell() + size > file_size:
                    raise ValueError("bad block size")
                raw = _blob_raw_size(handle, size)
                if raw > _MAX_BLOB:
                    raise ValueError("block larger than the format allows")
                blocks += 1
                total += raw
    except (ValueError, struct.error) as error:
        raise RoadNetworkError(
            f"{safe_name(path)!r} is not a readable OpenStreetMap file (its block structure is damaged: {error}). "
            f"Download the .osm.pbf extract again."
        ) from error
    return blocks, total


def _block_nodes(block: bytes) -> int:
    """Nodes in one decompressed PrimitiveBlock: plain node messages plus the ids of dense nodes."""
    count = 0
    for number, group in _each_field(memoryview(block)):
        if number != 2:
            continue
        for kind, value in _each_field(group):
            if kind == 1:
                count += 1
            elif kind == 2:
                for field, ids in _each_field(value):
                    if field == 1:  # packed varints: one ends at each byte below 128
                        count += int(np.count_nonzero(np.frombuffer(ids, dtype=np.uint8) < 128))
    return count


def pbf_node_count(path: str | Path, limit: int) -> int:
    """Nodes in a ``.osm.pbf`` file, counted block by block (each decompressed in turn, then dropped); stops
    counting once past ``limit``.

    Raises
    ------
    RoadNetworkError
        If the blocks are damaged or compressed in a way this tool does not read.
    """
    path = Path(path)
    total = 0
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            while handle.tell() < size and total <= limit:
                (length,) = struct.unpack(">I", handle.read(4))
                header = _fields(handle.read(length))
                blob = _fields(handle.read(int(header.get(3, 0))))
                if header.get(1) != b"OSMData":
                    continue
                if 1 in blob:
                    block = bytes(blob[1])
                elif 3 in blob:
                    block = zlib.decompressobj().decompress(blob[3], _MAX_BLOB)
                else:
                    raise ValueError("a block compressed other than with zlib")
                total += _block_nodes(block)
    except (ValueError, struct.error, zlib.error) as error:
        raise RoadNetworkError(f"{safe_name(path)!r} is not a readable OpenStreetMap file ({safe_text(error)}). "
                               f"Download the .osm.pbf extract again.") from error
    return total


def check_regular_file(path: str | os.PathLike) -> None:
    """Refuse a road file that is not a regular file (missing, a folder, a named pipe, a device, a socket) before
    anything reads it: a pipe would block and a device never end (:func:`geo.files.regular_file`).

    Raises
    ------
    RoadNetworkError
        Naming the file (in characters safe to show) and what it is.
    """
    try:
        regular_file(path, "road network file")
    except InputDataError as error:
        shown = repr(os.fspath(path))
        raise RoadNetworkError(str(error).replace(shown, repr(safe_name(path)))) from None


def check_connected_part(name: str | os.PathLike, kept_nodes: int, all_nodes: int, kept_links: int) -> None:
    """Refuse a road network whose largest strongly connected part is trivial: fewer than 2 junctions or 2 links,
    or under :data:`MIN_CONNECTED_SHARE` of the file's road nodes (a file of one-way ways that never return, or an
    extract cut into pieces, leaves a junction or two to route on and every point far from it).

    Raises
    ------
    RoadNetworkError
        Naming what is left of the file and what to do.
    """
    if kept_nodes >= 2 and kept_links >= 2 and kept_nodes >= MIN_CONNECTED_SHARE * all_nodes:
        return
    raise RoadNetworkError(
        f"{safe_name(name)!r}: the largest part of its roads in which every junction can reach every other holds "
        f"{kept_nodes:,} of its {all_nodes:,} road nodes ({kept_nodes / max(all_nodes, 1):.1%}) and {kept_links:,} "
        f"links: not a network to measure travel on. Its one-way roads never lead back, or the extract is cut into "
        f"pieces. Use a complete OpenStreetMap extract of the council's area (e.g. from Geofabrik).")


def check_file_size(path: Path, limits: RoadLimits) -> None:
    """Refuse a file larger than the limits allow, on disk or (``.osm.pbf``) once decompressed.

    Raises
    ------
    RoadNetworkError
        Naming the size, the limit and what to do.
    """
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise RoadNetworkError(
            f"{safe_name(path)!r} is {size / 1024**2:,.0f} MB, more than the {limits.max_file_bytes / 1024**2:,.0f} MB "
            f"this tool reads here. Use an extract of the council's county (download.geofabrik.de) or prepare the "
            f"network on the command line: python -m caremap roads --council NAME --pbf FILE."
        )
    if path.name.lower().endswith(".pbf"):
        _, declared = pbf_declared_size(path)
        if declared > limits.max_decompressed_bytes:
            raise RoadNetworkError(
                f"{safe_name(path)!r} expands to {declared / 1024**2:,.0f} MB of OpenStreetMap data once decompressed "
                f"(the file is {size / 1024**2:,.1f} MB), more than the {limits.max_decompressed_bytes / 1024**2:,.0f} MB "
                f"limit. Use an extract of a smaller area, or the command line (python -m caremap roads)."
            )


def check_node_count(path: Path, limits: RoadLimits) -> None:
    """Refuse a ``.osm.pbf`` file with more nodes than ``limits.max_file_nodes``, counted before indexing them
    (an XML file's size already bounds its nodes).

    Raises
    ------
    RoadNetworkError
        Naming the count and the limit.
    """
    if not path.name.lower().endswith(".pbf"):
        return
    count = pbf_node_count(path, limits.max_file_nodes)
    if count > limits.max_file_nodes:
        raise RoadNetworkError(
            f"{safe_name(path)!r} holds more than {limits.max_file_nodes:,} nodes (counted {count:,} before stopping), "
            f"more than this machine can index here. Use an extract of a smaller area, or python -m caremap roads on "
            f"a larger machine.")


def too_many_way_nodes(count: int, path: Path, limits: RoadLimits) -> RoadNetworkError:
    """The error for a file whose drivable ways hold more nodes than the limit."""
    size = path.stat().st_size
    cap = limits.way_node_cap(size)
    if cap < limits.max_way_nodes:
        return RoadNetworkError(
            f"{safe_name(path)!r} is {size / 1024:,.0f} KB but its drivable ways hold more than {cap:,} road nodes "
            f"(counted {count:,} before stopping): real OpenStreetMap extracts take about 10 bytes or more a road "
            f"node, and this file packs more than {limits.max_way_nodes_per_byte:g} into a byte, so it would take far "
            f"more memory than its size suggests. Use an extract downloaded from OpenStreetMap (e.g. Geofabrik) of "
            f"the council's area.")
    return RoadNetworkError(
        f"{safe_name(path)!r} holds more than {limits.max_way_nodes:,} road nodes in drivable ways (counted "
        f"{count:,} before stopping): more than this machine can build here (about {BYTES_PER_WAY_NODE} bytes each). "
        f"Use an extract of a smaller area (the council plus a few kilometres), or build it on a larger machine with "
        f"python -m caremap roads."
    )


def check_in_great_britain(path: str | os.PathLike, node_ids: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> None:
    """Refuse a road file with a located node outside Great Britain (NaN, a node the file lacks, is skipped).

    The tool plans for councils in Great Britain; a node elsewhere is a damaged or forged file, or the wrong
    extract. It also catches coordinates osmium cannot read and takes as 0 (``lat="1e400"``).

    Raises
    ------
    RoadNetworkError
        Naming the first such node, its coordinate and how many there are.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    located = np.isfinite(lon) & np.isfinite(lat)
    outside = np.flatnonzero(located & ~in_great_britain_lonlat(np.where(located, lon, 0.0), np.where(located, lat, 0.0)))
    if outside.size:
        first = outside[0]
        raise RoadNetworkError(
            f"{safe_name(path)!r}: node {int(np.asarray(node_ids)[first])} lies at latitude {lat[first]:.4f}, longitude "
            f"{lon[first]:.4f}, outside Great Britain ({outside.size:,} road node(s) in all). The tool plans for "
            f"councils in Great Britain: the file is damaged (a coordinate osmium cannot read, such as 1e400, is "
            f"taken as 0) or of another area. Use an extract of the council's area, e.g. from Geofabrik.")
