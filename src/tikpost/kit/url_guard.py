"""Where a client's URL may lead: the scheme and address checks `kit.safe_fetch` dials through.

Its own module so the policy (which addresses are off limits, and why, in words fit for the
client) reads apart from the transport that enforces it at every connect.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from tikpost.kit.errors import ApiError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services (AWS, GCP, Azure, OpenStack, Alibaba via 100.100.100.200, AWS IPv6).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254")
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UrlNotAllowedError(httpx.RequestError):
    """The URL may not be fetched from here; `reason` says why, in words fit for the client."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` is off limits ("a loopback address"), or None for a public address.

    IPv4 addresses wrapped in IPv6 (`::ffff:10.0.0.1`, NAT64 `64:ff9b::a00:1`) are judged as the
    IPv4 address they reach; Python 3.11's `ipaddress` does not unwrap them itself.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_refusal(address.ipv4_mapped)
        if address in NAT64:
            return address_refusal(ipaddress.IPv4Address(address.packed[-4:]))
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for kind, hit in (
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a shared (CGNAT, 100.64.0.0/10) address", address in CGNAT),
        ("a reserved address", address.is_reserved),
        ("a private address", address.is_private),
    ):
        if hit:
            return kind
    if not address.is_global:
        return "not a public internet address"
    return None


class UrlGuard:
    """Where user-given URLs may lead. `allow_private=True` (TIKPOST_ALLOW_PRIVATE_URLS) lifts
    the address check, for tests, local webhook receivers and on-premise media servers; the
    scheme check and the pinned connect stay.

    `resolve` and `dial_address` are the seams tests override: a fake resolver gives a name a
    public address, and `dial_address` records (or redirects) every connection attempt.
    """

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address the name has, as the system resolver answers (IP literals included)."""
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def dial_address(self, ip: str, port: int) -> tuple[str, int]:
        """The socket address actually dialled for a checked `ip`: itself, outside tests."""
        return ip, port

    def refusal(self, ip: str) -> str | None:
        if self.allow_private:
            return None
        try:
            address = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return "not an IP address"
        return address_refusal(address)

    async def admit(self, host: str, port: int) -> list[str]:
        """The checked addresses for `host`; refused if ANY is off limits, so a name cannot
        mix a public address (to pass) with a private one (to be dialled)."""
        addresses = await self.resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for ip in addresses:
            reason = self.refusal(ip)
            if reason is not None:
                shown = ip if host.strip("[]") == ip else f"{host} resolves to {ip}, which"
                raise UrlNotAllowedError(host, f"{shown} is {reason}")
        return addresses


def check_scheme(url: str) -> httpx.URL:
    """An absolute http(s) URL with a host, parsed; other schemes never leave the process.

    Refused here, not raised later as a 500: `http://[` (breaks urlsplit), `http://xn--/`
    (breaks httpx only when the host is decoded, so it is decoded now), port 99999."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:
        raise UrlNotAllowedError(url, f"the URL is malformed ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise UrlNotAllowedError(url, "only absolute http:// and https:// URLs can be fetched")
    try:
        parsed = httpx.URL(url)
        _ = parsed.host
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise UrlNotAllowedError(url, f"the URL is malformed ({exc})") from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise UrlNotAllowedError(url, f"the URL is malformed (port {parsed.port})")
    return parsed


async def check_url(url: str, guard: UrlGuard) -> None:
    """Refuse now what a later request would refuse (for URLs stored to be called later).

    A name that does not resolve yet passes: it may be set up later, and each request is
    checked again anyway.
    """
    parsed = check_scheme(url)
    if guard.allow_private:
        return
    host = parsed.raw_host.decode("ascii")
    try:
        await guard.admit(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    except httpcore.ConnectError:
        return


async def require_allowed(url: str, guard: UrlGuard, field: str) -> None:
    """`check_url` as the API's 422 `url_not_allowed`, naming the field and the reason."""
    try:
        await check_url(url, guard)
    except UrlNotAllowedError as exc:
        raise ApiError(
            422, "url_not_allowed", f"{field}: not allowed: {exc.reason}", field
        ) from None
