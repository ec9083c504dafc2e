"""pytest plugin: fail any test that opens a socket to anything but this machine.

Loaded for every run (``-p tests.netguard`` in pyproject), so a regression that fetches a
CDN asset, a tile, a model or a geocoding service fails CI. Loopback (127.0.0.0/8, ::1)
and Unix sockets stay allowed: the browser tests talk to the app on localhost.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
blocked: list[str] = []


class NetworkBlocked(OSError):
    """Raised instead of an outbound connection during tests."""


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # Unix socket path or abstract address
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(address: object) -> None:
    if not _is_local(address):
        blocked.append(repr(address))
        raise NetworkBlocked(f"geo_app tests are offline: outbound connection to {address!r} blocked")


def _connect(self: socket.socket, address: object) -> None:
    _guard(address)
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _guard(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host: object, *args: object, **kwargs: object):
    if host not in (None, "localhost", "") and not _is_local((host,)):
        blocked.append(f"getaddrinfo({host!r})")
        raise NetworkBlocked(f"geo_app tests are offline: name lookup of {host!r} blocked")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    terminalreporter.write_line(f"netguard: outbound connections attempted and blocked: {len(blocked)}")
