"""The Helm chart: linted and rendered by the real Helm SDK (helm-python-sdk), and every rendered
manifest checked against the Kubernetes schemas by `kubernetes-validate --strict`, for the
default values and for the production-like values file."""

from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

from tests.deploy.tools import BIN, ROOT, run

CHART = ROOT / "helm" / "renkei"
PRODUCTION = yaml.safe_load((CHART / "values-production.yaml").read_text())
VALUES = {"default": None, "production": PRODUCTION}


def render(values: dict[str, Any] | None) -> dict[str, str]:
    """Rendered manifests by template file, empty ones and NOTES.txt left out."""
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(values, name="renkei", namespace="smartcity", is_install=True)
    return {
        Path(name).name: text
        for name, text in rendered.items()
        if name.endswith(".yaml") and text.strip()
    }


def objects(values: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Rendered objects by kind."""
    found = {}
    for text in render(values).values():
        for document in yaml.safe_load_all(text):
            if document:
                found[document["kind"]] = document
    return found


@pytest.mark.parametrize("name", VALUES)
def test_chart_passes_helm_lint(name: str) -> None:
    report = helm.lint(CHART, VALUES[name], strict=True)
    assert report["errors"] == [], report
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report


# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest known.
KUBERNETES = ["1.25.0", "1.37.0"]


@pytest.mark.parametrize("kubernetes", KUBERNETES)
@pytest.mark.parametrize("name", VALUES)
def test_rendered_manifests_pass_kubernetes_validate_strict(
    name: str, kubernetes: str, tmp_path: Path
) -> None:
    files = []
    for template, text in render(VALUES[name]).items():
        path = tmp_path / template
        path.write_text(text)
        files.append(path)
    assert len(files) >= 6
    result = run(BIN / "kubernetes-validate", "--strict", "--quiet", "-k", kubernetes, *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_values_schema_rejects_a_misspelt_key() -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmError):
        chart.validate_schema({"replicas": 3})


def test_default_install_has_probes_security_and_a_migration_hook() -> None:
    found = objects(None)
    assert {"Deployment", "Service", "ConfigMap", "Secret", "Job", "PodDisruptionBudget"} <= set(
        found
    )
    pod = found["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    job = found["Job"]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["renkei", "migrate"]
    # the Secret the Job reads is a hook too, created before it
    secret = found["Secret"]["metadata"]["annotations"]
    assert int(secret["helm.sh/hook-weight"]) < int(
        job["metadata"]["annotations"]["helm.sh/hook-weight"]
    )
    selector = found["Service"]["spec"]["selector"]
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= job_labels.items(), "the Service would route to the Job"


def test_shared_subscriptions_are_on_only_with_more_than_one_process() -> None:
    two = objects({"replicaCount": 2})["ConfigMap"]["data"]
    assert two["RENKEI_MQTT_SHARED_GROUP"] == "renkei"
    single = {"replicaCount": 1, "config": {"workers": 1}}
    one = objects(single)
    assert "RENKEI_MQTT_SHARED_GROUP" not in one["ConfigMap"]["data"]
    assert one["ConfigMap"]["data"]["RENKEI_WORKERS"] == "1"
    assert "PodDisruptionBudget" not in one
    scaling = objects({**single, "autoscaling": {"enabled": True}})
    assert scaling["ConfigMap"]["data"]["RENKEI_MQTT_SHARED_GROUP"] == "renkei"
    # the default: two worker processes per pod, which split the devices as pods do
    workers = objects({"replicaCount": 1})["ConfigMap"]["data"]
    assert workers["RENKEI_WORKERS"] == "2"
    assert workers["RENKEI_MQTT_SHARED_GROUP"] == "renkei"


def test_external_postgresql_from_values_becomes_the_database_url() -> None:
    import base64

    found = objects({"postgresql": {"host": "pg.internal", "password": "p@ss word"}})
    url = base64.b64decode(found["Secret"]["data"]["database-url"]).decode()
    assert url == "postgresql+asyncpg://renkei:p%40ss+word@pg.internal:5432/renkei"


def test_production_values_use_existing_secrets_autoscaling_and_ingress() -> None:
    found = objects(PRODUCTION)
    assert "Secret" not in found  # every secret comes from the operator's own Secret
    assert {"HorizontalPodAutoscaler", "Ingress"} <= set(found)
    assert "replicas" not in found["Deployment"]["spec"]  # the autoscaler sets it
    env = {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in found["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert {ref["name"] for ref in env.values()} == {"renkei-secrets"}
    assert set(env) == {
        "RENKEI_SECRET",
        "RENKEI_DATABASE_URL",
        "RENKEI_MQTT_URL",
        "RENKEI_METRICS_TOKEN",
    }
