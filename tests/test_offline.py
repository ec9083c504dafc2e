"""Nothing touches the network: the guard works, and the core runs under it."""

from __future__ import annotations

import socket

import pytest

from tests import netguard


def test_guard_blocks_outbound_connections():
    before = len(netguard.blocked)
    with pytest.raises(OSError, match="offline"):
        socket.create_connection(("198.51.100.7", 443), timeout=1)
    with pytest.raises(OSError, match="offline"):
        socket.getaddrinfo("nominatim.openstreetmap.org", 443)
    assert len(netguard.blocked) == before + 2
    del netguard.blocked[before:]  # deliberate attempts: not counted in the suite's figure


def test_guard_allows_loopback():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()


def test_core_runs_offline():
    before = len(netguard.blocked)
    from geo_app.places.geocoder import OfflineGeocoder
    from geo_app.pipeline import analyze

    assert OfflineGeocoder().geocode("Kiev").raw["geonameid"] == 703448
    analysis = analyze("Kyiv is as close as 100 km from the southern border of Belarus.", "2022-02-10")
    assert analysis.claims
    assert len(netguard.blocked) == before


def test_online_geocoder_is_opt_in_and_never_default():
    from geo_app.places.geocoder import OfflineGeocoder, online_geocoder

    assert OfflineGeocoder().__class__.__module__ == "geo_app.places.geocoder"
    limiter = online_geocoder()  # built, not called: building must not touch the network
    assert limiter.min_delay_seconds >= 1.0
