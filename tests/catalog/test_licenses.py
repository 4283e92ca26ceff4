"""The catalog's licenses (issue 16: at least CC BY 4.0, CC0, PDL 1.0), in CKAN's shape."""

from catalog.licenses import BY_ID


def test_required_licenses_are_offered_as_open() -> None:
    for license_id in ("cc-by-4.0", "cc-zero", "pdl-1.0"):
        assert BY_ID[license_id].as_ckan()["is_okd_compliant"] is True


def test_unspecified_license_is_not_open() -> None:
    assert BY_ID["notspecified"].as_ckan()["od_conformance"] == "not reviewed"
