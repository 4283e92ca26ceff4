"""Every table of the catalog package, imported together (for Alembic)."""

from catalog.datasets.models import Dataset, FacetValue, Resource, SearchTerm
from catalog.files.models import ResourceFile
from catalog.groups.models import Group
from catalog.organizations.models import Organization

__all__ = [
    "Dataset",
    "FacetValue",
    "Group",
    "Organization",
    "Resource",
    "ResourceFile",
    "SearchTerm",
]
