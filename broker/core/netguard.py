"""Outbound request guard (SSRF): which hosts Renkei may connect to on a client's behalf.

Notification endpoints and remote @context URLs are named by clients. Unless allowed, a target
that resolves to a loopback, private, link-local, multicast, reserved or unspecified address is
refused, so a subscription or a Link header cannot be used to reach the deployment's internal
services. `RENKEI_NOTIFY_ALLOWED_HOSTS` lists host names and networks (CIDR) that are allowed
anyway; `RENKEI_NOTIFY_ALLOW_PRIVATE=1` allows every address (development and tests).
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetRefused(Exception):
    """The target host is not one Renkei may connect to."""


def _internal(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _internal(address.ipv4_mapped)
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


class NetGuard:
    """Checks a host (and the addresses it resolves to) before a connection is made."""

    def __init__(self, *, allow_private: bool = False, allowed: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.hosts: set[str] = set()
        self.networks: list[IpNetwork] = []
        for item in allowed:
            item = item.strip()
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.hosts.add(item.lower().rstrip("."))

    def _allowed_address(self, address: IpAddress) -> bool:
        return not _internal(address) or any(address in n for n in self.networks)

    async def check(self, host: str, port: int | None = None) -> None:
        """Raise TargetRefused unless `host` may be connected to (resolving names with DNS)."""
        if self.allow_private:
            return
        name = host.strip("[]").lower().rstrip(".")
        if not name:
            raise TargetRefused("no host")
        if name in self.hosts:
            return
        try:
            literal: IpAddress | None = ipaddress.ip_address(name)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            addresses = await self._resolve(name, port)
        for address in addresses:
            if not self._allowed_address(address):
                raise TargetRefused(
                    f"{host} resolves to {address}, an internal address; allow it with "
                    "RENKEI_NOTIFY_ALLOWED_HOSTS"
                )

    @staticmethod
    async def _resolve(name: str, port: int | None) -> list[IpAddress]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(name, port or 0, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise TargetRefused(f"{name} cannot be resolved: {exc}") from exc
        found: list[IpAddress] = []
        for info in infos:
            raw = str(info[4][0]).split("%", 1)[0]  # IPv6 zone ids
            found.append(ipaddress.ip_address(raw))
        if not found:
            raise TargetRefused(f"{name} resolves to no address")
        return found


OPEN = NetGuard(allow_private=True)
