"""The licenses a dataset may name (CKAN's license_list): at least CC BY 4.0, CC0 and the
Japanese government's 公共データ利用規約 (PDL 1.0), which is compatible with CC BY 4.0."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class License:
    id: str
    title: str
    url: str
    open: bool = True

    def as_ckan(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "status": "active",
            "maintainer": "",
            "family": "",
            "is_generic": self.url == "",
            "is_okd_compliant": self.open,
            "is_osi_compliant": False,
            "od_conformance": "approved" if self.open else "not reviewed",
            "osd_conformance": "not reviewed",
            "domain_content": True,
            "domain_data": True,
            "domain_software": False,
        }


LICENSES: tuple[License, ...] = (
    License(
        "cc-by-4.0",
        "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    License(
        "cc-zero",
        "CC0 1.0 全世界 パブリック・ドメイン提供 (CC0)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    License(
        "pdl-1.0",
        "公共データ利用規約 第1.0版 (PDL1.0)",
        "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
    ),
    License(
        "cc-by-sa-4.0",
        "クリエイティブ・コモンズ 表示-継承 4.0 国際 (CC BY-SA 4.0)",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    License(
        "odc-odbl",
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    License("other-open", "その他 (オープン)", ""),
    License("notspecified", "ライセンス未指定", "", open=False),
)
BY_ID = {license.id: license for license in LICENSES}
