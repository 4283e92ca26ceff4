"""The remote brokers of the distributed tests, started once for the package."""

from collections.abc import Iterator

import pytest

from tests.broker.distributed.remotes import remote_broker


@pytest.fixture(scope="package")
def municipal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A municipality's own broker."""
    with remote_broker(tmp_path_factory.mktemp("municipal")) as url:
        yield url


@pytest.fixture(scope="package")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The prefecture's shared broker."""
    with remote_broker(tmp_path_factory.mktemp("shared")) as url:
        yield url
