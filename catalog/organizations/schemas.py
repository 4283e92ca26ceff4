"""An organization as the catalog shows it: a tenant with its catalog face."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OrganizationView:
    name: str  # the tenant's name, also the organization's CKAN id
    title: str
    description: str
    image_url: str
    created: datetime
