"""Each Renkei process on a host (workers of one `renkei serve`, or two instances) connects with
its own, restart-stable MQTT client id."""

import pytest

from connectors.mqtt import slots
from connectors.mqtt.slots import claim_slot
from tests.mqtt import unique


def test_the_first_process_keeps_the_configured_client_id() -> None:
    base = unique("slots")
    slot = claim_slot(base)
    try:
        assert slot.client_id == base
    finally:
        slot.release()


def test_processes_take_distinct_slots_and_a_freed_slot_is_taken_again() -> None:
    base = unique("slots")
    first, second = claim_slot(base), claim_slot(base)
    try:
        assert (first.client_id, second.client_id) == (base, f"{base}-1")
        first.release()  # the process ended: its replacement resumes its session
        again = claim_slot(base)
        assert again.client_id == base
        again.release()
    finally:
        first.release()
        second.release()


def test_when_every_slot_is_held_the_process_id_tells_them_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(slots, "SLOTS", 1)
    base = unique("slots")
    first = claim_slot(base)
    try:
        crowded = claim_slot(base)
        assert crowded.client_id.startswith(f"{base}-p")
    finally:
        first.release()


def test_long_client_ids_stay_within_the_mqtt_limit() -> None:
    base = unique("x" * 60)[:64]
    first, second = claim_slot(base), claim_slot(base)
    try:
        assert len(second.client_id) <= 64 and second.client_id.endswith("-1")
    finally:
        first.release()
        second.release()
