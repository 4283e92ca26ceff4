from tests.auth.users.conftest import browser

__all__ = ["browser"]
