"""The feed fetcher fetches from public internet addresses only: private, loopback and link-local addresses are
refused before a connection, after a redirect and at the connected socket, with one message whatever answered."""

from __future__ import annotations

import socket
import threading

import pytest

from data_sources.news import net
from data_sources.news.errors import FeedConnectionError, FeedRefusedError
from data_sources.news.feeds import FeedConfig, FeedRequest
from data_sources.news.fetch import extract, fetch_feeds
from tests.conftest import en, raises_saying
from tests.fakes import fake_feeds
from tests.fakes.fake_feeds import SNAPSHOT, FeedServer, closed_port

feed_server = fake_feeds.feed_server  # the fixture


def _feed(name: str, url: str) -> FeedConfig:
    return FeedConfig(name, url, "en")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1",
                                     "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
                                     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "not an ip"])
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not net.is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "151.101.1.140", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert net.is_public_address(address)


def test_loopback_and_a_redirect_to_loopback_are_refused_without_the_allow_list(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHBOARD_FETCH_ALLOW")
    target = feed_server.url(f"/feed/{SNAPSHOT}")
    port = feed_server.server_address[1]
    frame, problems = fetch_feeds([_feed("Direct", target), _feed("Named", f"http://localhost:{port}/x"),
                                   _feed("Metadata", "http://169.254.169.254/latest/meta-data/"),
                                   _feed("LAN", "http://192.168.0.1/rss"), _feed("V6", f"http://[::1]:{port}/")])
    assert frame.empty
    assert {p.feed: p.code for p in problems} == dict.fromkeys(
        ["Direct", "Named", "Metadata", "LAN", "V6"], "feed.refused")
    assert en(problems[0].problem).startswith("Direct: 127.0.0.1 is not a public internet address")
    assert sum(feed_server.hits.values()) == 0  # nothing reached the server
    # a redirect: the first hop is allowed by name, the loopback address it points at is not
    monkeypatch.setenv("DASHBOARD_FETCH_ALLOW", "localhost")
    hop = f"http://localhost:{port}/redirect?to={target}"
    with raises_saying(FeedRefusedError, r"^Hop: 127\.0\.0\.1 is not a public"):
        extract(FeedRequest("Hop", hop))
    assert feed_server.hits["/redirect"] == 1 and feed_server.hits[f"/feed/{SNAPSHOT}"] == 0


def test_a_redirect_to_a_private_address_is_refused_with_the_allow_list(feed_server: FeedServer) -> None:
    for to in ("http://10.0.0.1/feed", "http://169.254.169.254/latest/meta-data/", "http://[::1]:80/"):
        with raises_saying(FeedRefusedError, r"is not a public internet address"):
            extract(FeedRequest("Hop", feed_server.url(f"/redirect?to={to}")), deadline_s=3)
    ok = extract(FeedRequest("Hop", feed_server.url(f"/redirect?to=/feed/{SNAPSHOT}")))
    assert ok.status == 200 and len(ok.data) > 40_000  # a relative redirect on an allowed host is followed


def test_the_connected_peer_is_checked_too(feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # a DNS answer that changes after the check (rebinding): the check passes, the socket's peer is loopback
    monkeypatch.delenv("DASHBOARD_FETCH_ALLOW")
    monkeypatch.setattr(net, "check_host", lambda host, port: None)
    with raises_saying(FeedConnectionError, r"^Rebind: could not fetch a feed from 127\.0\.0\.1$"):
        extract(FeedRequest("Rebind", feed_server.url(f"/feed/{SNAPSHOT}")))
    assert sum(feed_server.hits.values()) == 0


def test_messages_do_not_tell_a_closed_port_from_a_live_non_feed_service(feed_server: FeedServer) -> None:
    def serve_once(reply: bytes) -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)

        def run() -> None:
            with sock:
                for _ in range(2):
                    try:
                        conn, _addr = sock.accept()
                    except OSError:
                        return
                    with conn:
                        conn.recv(4096)
                        conn.sendall(reply)

        threading.Thread(target=run, daemon=True).start()
        return int(sock.getsockname()[1])

    ports = {"closed": closed_port(), "ssh": serve_once(b"SSH-2.0-OpenSSH_9.6\r\n"),
             "silent-close": serve_once(b"")}
    _frame, problems = fetch_feeds([_feed("X", f"http://127.0.0.1:{p}/") for p in ports.values()], deadline_s=3)
    assert [en(p.problem) for p in problems] == ["X: could not fetch a feed from 127.0.0.1"] * 3
    assert {p.code for p in problems} == {"feed.connection"}
