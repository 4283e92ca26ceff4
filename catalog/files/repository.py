"""The only code that reads and writes uploaded files' bytes, one tenant's at a time."""

from sqlalchemy import delete, select

from broker.core.repository import TenantBoundRepository
from catalog.files.models import ResourceFile


class FileRepository(TenantBoundRepository):
    async def put(self, file: ResourceFile) -> None:
        """Store the file of a resource, replacing the one it had."""
        file.tenant_id = self.tenant
        await self.session.execute(
            delete(ResourceFile).where(
                self.owns(ResourceFile), ResourceFile.resource_id == file.resource_id
            )
        )
        self.session.add(file)
        await self.session.flush()

    async def get(self, resource_id: str) -> ResourceFile | None:
        statement = select(ResourceFile).where(
            self.owns(ResourceFile), ResourceFile.resource_id == resource_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()
