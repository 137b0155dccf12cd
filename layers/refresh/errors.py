"""Why a publisher's data could not be refreshed: each message names the source, the file or address, and what to do."""

from __future__ import annotations

from geo.errors import CareMapError


class RefreshError(CareMapError):
    """Base class of the failures of :mod:`layers.refresh`."""


class PublishersUnreachable(RefreshError):
    """No publisher accepts a connection: the machine is offline (or behind a firewall)."""


class PublisherError(RefreshError):
    """A publisher answered, but not with the data: refused (403), moved (404), down (5xx after the retries), an
    error inside a 200 answer, or a body cut short."""

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class TruncatedDownload(PublisherError):
    """The body ended before the length the server announced, every time it was asked."""


class ChecksumMismatch(RefreshError):
    """A file's bytes do not match the checksum recorded for it (by the publisher or in the cache's manifest)."""


class SourceCheckFailed(RefreshError):
    """A publisher's file does not hold what the tool needs: a column missing (named), too few rows, or figures that
    disagree with another source. Nothing is written for that source."""
