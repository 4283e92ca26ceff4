"""The vocabularies DCAT-AP names, and the EU authority tables its values come from."""

from rdflib import Namespace

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

BINDINGS = {
    "adms": ADMS,
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "hydra": HYDRA,
    "locn": LOCN,
    "skos": SKOS,
    "vcard": VCARD,
}

# EU Publications Office authority tables (DCAT-AP's controlled vocabularies)
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
GEOJSON_LITERAL = "https://www.iana.org/assignments/media-types/application/vnd.geo+json"

# CKAN formats as the EU file-type table names them
FILE_TYPES = {
    "CSV": "CSV",
    "JSON": "JSON",
    "GEOJSON": "GEOJSON",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "PDF": "PDF",
    "ZIP": "ZIP",
    "XML": "XML",
    "HTML": "HTML",
    "TXT": "TXT",
    "RDF": "RDF",
    "TTL": "RDF_TURTLE",
    "JSON-LD": "JSON_LD",
    "SHP": "SHP",
}
# the frequencies of the EU table (what `frequency` holds), by their code
FREQUENCIES = frozenset(
    {
        "CONT",
        "UPDATE_CONT",
        "HOURLY",
        "DAILY",
        "WEEKLY",
        "BIWEEKLY",
        "MONTHLY",
        "QUARTERLY",
        "BIANNUAL",
        "ANNUAL",
        "IRREG",
        "NEVER",
        "UNKNOWN",
    }
)
