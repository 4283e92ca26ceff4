"""The guidebook's categories (エリアデータ連携基盤の共同利用ガイドブック v3.0, ch. 4 and 7), as the
values vision entries hold: English names, the guidebook's Japanese label alongside each.

The English names are what the API and the broker store; the labels are what the vision
document and the console show, so a survey answered in the guidebook's words maps one to one.
"""

from typing import Final, Literal

# ch. 4 viewpoint 1: サービス提供スキーム and 基盤提供スキーム
Scheme = Literal[
    "none", "municipalityOnly", "privateOnly", "municipalityAndPrivate", "operatingBody"
]
SCHEMES: Final = {
    "none": "なし",
    "municipalityOnly": "自治体のみ",
    "privateOnly": "民間のみ",
    "municipalityAndPrivate": "自治体と民間",
    "operatingBody": "運営組織",
}
# サービス利用者の範囲
UserScope = Literal["withinMunicipality", "prefectureWide"]
USER_SCOPES: Final = {"withinMunicipality": "基礎自治体内", "prefectureWide": "都道府県内"}
# viewpoint 2: 個人認証サービスの数, 非パーソナル基盤の数, パーソナル基盤の数
Count = Literal["0", "1", "2+"]
COUNTS: Final = {"0": "0", "1": "1", "2+": "2以上"}
# viewpoint 3: ブローカーのデータ管理方法
BrokerDataManagement = Literal["none", "external", "internalShared", "internalSeparated"]
BROKER_DATA_MANAGEMENT: Final = {
    "none": "なし",
    "external": "外部",
    "internalShared": "内部・DB分離なし",
    "internalSeparated": "内部・DB分離あり",
}
# viewpoint 4: 身元確認 (IAL), 当人認証 (AAL)
Ial = Literal["none", "IAL1", "IAL2", "IAL3"]
Aal = Literal["none", "AAL1", "AAL2", "AAL3"]
# viewpoint 5: 責任範囲 per module
ResponsibleSide = Literal["base", "service"]
RESPONSIBLE_SIDES: Final = {"base": "基盤側", "service": "サービス側"}

# ch. 7: the three questions that fix the type after sharing
BaseCount = Literal["single", "multiple"]
BASE_COUNTS: Final = {"single": "単一の基盤", "multiple": "複数の基盤"}
Provider = Literal["authorityOnly", "publicPrivate"]
PROVIDERS: Final = {"authorityOnly": "自治体主導", "publicPrivate": "官民連携"}
# The per-municipality policy of the vision document
Policy = Literal["keep", "prefectureBuilds", "shareExisting", "moveToPrefecture"]
POLICIES: Final = {
    "keep": "現行基盤を継続",
    "prefectureBuilds": "県が構築",
    "shareExisting": "既存基盤を共同利用",
    "moveToPrefecture": "県の基盤へ移行",
}

CURRENT_TYPES: Final = {
    "1.1": "基盤なし",
    "1.2": "単独団体がフル機能の基盤を運用",
    "1.3": "フル機能の基盤、官民がサービス提供",
    "1.4": "非パーソナル基盤のみ",
    "1.5": "パーソナル基盤のみ",
}
TARGET_TYPES: Final = {
    "2.1": "単一基盤・自治体主導・単独団体",
    "2.2": "単一基盤・自治体主導・都道府県内",
    "2.3": "単一基盤・官民連携・単独団体",
    "2.4": "単一基盤・官民連携・都道府県内",
    "2.5": "複数基盤・自治体主導・単独団体 (認証連携なし)",
    "2.6": "複数基盤・自治体主導・都道府県内 (認証連携あり)",
    "2.7": "複数基盤・官民連携・単独団体 (連携なし)",
    "2.8": "複数基盤・官民連携・都道府県内 (認証・データ連携あり)",
}
PATTERNS: Final = {
    "A": "新規構築",
    "B": "単独団体の基盤の広域展開",
    "C": "複数基盤の高度な統合",
    "D": "都道府県基盤への参加",
}

ENUMERATIONS: Final = {
    "scheme": SCHEMES,
    "userScope": USER_SCOPES,
    "count": COUNTS,
    "brokerDataManagement": BROKER_DATA_MANAGEMENT,
    "responsibleSide": RESPONSIBLE_SIDES,
    "baseCount": BASE_COUNTS,
    "provider": PROVIDERS,
    "policy": POLICIES,
    "currentType": CURRENT_TYPES,
    "targetType": TARGET_TYPES,
    "migrationPattern": PATTERNS,
}
