"""Bodies of the vision API: one survey answer for one data-linkage base in one survey year.

Field names are the entity's attribute names (catalog/vision/context.jsonld defines each), so
an entry reads the same through /vision and through /ngsi-ld/v1/entities.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.vision.vocabulary import (
    Aal,
    BaseCount,
    BrokerDataManagement,
    Count,
    Ial,
    Policy,
    Provider,
    ResponsibleSide,
    Scheme,
    UserScope,
)

CODE_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"


class Responsibility(BaseModel):
    """責任範囲の明確化: who answers for one module, the base or the service."""

    model_config = ConfigDict(extra="forbid")

    module: str = Field(min_length=1, max_length=200)
    side: ResponsibleSide


class DataMapItem(BaseModel):
    """One row of the data map (データマップ): one data set the base holds or links."""

    model_config = ConfigDict(extra="forbid")

    dataLocation: str = Field(min_length=1, max_length=500, description="データの所在")
    content: str = Field(min_length=1, max_length=500, description="内容")
    dataAttributes: list[str] = Field(default_factory=list, description="属性")
    connectionMethod: str = Field(min_length=1, max_length=200, description="接続方法")
    updateFrequency: str = Field(min_length=1, max_length=100, description="更新頻度")
    linkageState: str = Field(min_length=1, max_length=100, description="連携状況")
    catalogDataset: str | None = Field(default=None, description="Renkei catalog dataset name")
    entityType: str | None = Field(default=None, description="entity type it is published as")


class BaseEntry(BaseModel):
    """A data-linkage base's survey answer (guidebook ch. 4) and its plan (ch. 7, 8)."""

    model_config = ConfigDict(extra="forbid")

    municipality: str = Field(pattern=CODE_PATTERN, description="the municipality's tenant")
    code: str = Field(pattern=CODE_PATTERN, description="the base's code within it")
    surveyYear: int = Field(ge=2000, le=2100, description="定点調査の年度")
    name: str = Field(min_length=1, max_length=200)
    vendor: str = Field(min_length=1, max_length=200, description="構築事業者")
    operator: str = Field(min_length=1, max_length=200, description="運用者")
    domains: list[str] = Field(default_factory=list, description="分野")
    services: list[str] = Field(default_factory=list, description="サービス")
    dataHandled: list[str] = Field(default_factory=list, description="取り扱うデータ")
    usage: str = Field(default="", max_length=2000, description="利用方法")
    dbCapacityGb: float = Field(default=0, ge=0, description="DB容量 (GB)")
    targetScale: int = Field(default=0, ge=0, description="目標規模 (利用者数)")
    annualCostYen: int = Field(default=0, ge=0, description="年間費用 (円)")
    linkageMethod: str = Field(default="", max_length=200, description="データ連携方法")
    broker: str = Field(default="", max_length=200, description="ブローカー")
    serviceProvisionScheme: Scheme
    baseProvisionScheme: Scheme
    userScope: UserScope
    personalAuthServices: Count
    nonPersonalBases: Count
    personalBases: Count
    brokerDataManagement: BrokerDataManagement
    identityAssurance: Ial = "none"
    authenticatorAssurance: Aal = "none"
    authFederation: bool = False
    basesAuthLinked: bool = False
    basesDataLinked: bool = False
    responsibilities: list[Responsibility] = Field(default_factory=list)
    certificationRequirements: str = Field(default="", max_length=2000, description="認定要件")
    audited: bool = Field(default=False, description="監査")
    targetBaseCount: BaseCount = "single"
    targetUserScope: UserScope = "prefectureWide"
    targetProvider: Provider = "publicPrivate"
    policy: Policy = "keep"
    tasksDone: list[str] = Field(default_factory=list, description="finished checklist tasks")
    dataMap: list[DataMapItem] = Field(default_factory=list)


class TaskOut(BaseModel):
    task: str
    label: str
    done: bool


class BaseOut(BaseEntry):
    """An entry as stored, with the fields the registry derives from it."""

    id: str
    currentType: str
    targetType: str
    migrationPattern: str | None
    taskChecklist: list[TaskOut]
    connectedServices: int
    costPerServiceYen: int


class CandidateOut(BaseModel):
    """A consolidation candidate: the entries it groups and why."""

    reason: str
    detail: str
    bases: list[str]


class VocabularyOut(BaseModel):
    enumerations: dict[str, dict[str, str]]
    tasks: dict[str, str]


def entry_fields(entry: BaseEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude={"dataMap"})
