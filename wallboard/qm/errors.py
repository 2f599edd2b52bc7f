"""Errors raised when talking to QueueMetrics.

    QMError                    anything that went wrong with QueueMetrics
     ├── QMUnavailable         network error, timeout, HTTP 5xx: it could not answer
     ├── QMAuthError           HTTP 401/403, a login page, a refused login
     ├── QMProtocolError       not JSON, an HTML page, a missing block or column, a bad value,
     │                         an answer too large
     └── QMRefused             it answered, but its ``result`` Status is not OK
          └── QMActionRefused  a PBX action answered ``KO: ...``

Each class carries ``kind``, the word the snapshot's ``error.kind`` uses for it.
"""

from __future__ import annotations


class QMError(Exception):
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QMUnavailable(QMError):
    kind = "unreachable"


class QMAuthError(QMError):
    kind = "auth"


class QMProtocolError(QMError):
    kind = "protocol"


class QMRefused(QMError):
    kind = "refused"


class QMActionRefused(QMRefused):
    pass
