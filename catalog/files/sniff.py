"""What an uploaded file really is, from its first bytes rather than its name: the common
open data formats (CSV, XLSX, PDF, JSON, ZIP). Anything else is refused, so a catalog never
serves, say, an HTML page or an executable under a CSV's name."""

import csv
import io
import zipfile

import orjson

MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "PDF": "application/pdf",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ZIP": "application/zip",
}


def _text(content: bytes) -> str | None:
    if b"\x00" in content[:8192]:
        return None
    for codec in ("utf-8-sig", "cp932"):
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def _is_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines or "," not in lines[0]:
        return False
    widths = {len(row) for row in csv.reader(io.StringIO("\n".join(lines)))}
    return len(widths) == 1 or (len(lines) > 1 and min(widths) > 1)


def sniff(content: bytes) -> str | None:
    """The format (a key of MEDIA_TYPES) of the content, or None."""
    if content.startswith(b"%PDF-"):
        return "PDF"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "XLSX"
        return "ZIP"
    text = _text(content)
    if text is None or not text.strip():
        return None
    if text.lstrip()[:1] in ("{", "["):
        try:
            orjson.loads(text)
            return "JSON"
        except orjson.JSONDecodeError:
            pass
    return "CSV" if _is_csv(text) else None
