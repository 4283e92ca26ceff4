"""Each worker of `renkei serve --workers N` connects with its own, restart-stable client id."""

import os

from connectors.mqtt.slots import claim_slot
from tests.mqtt import unique


def test_one_worker_keeps_the_configured_client_id() -> None:
    assert claim_slot("renkei-host", 1).client_id == "renkei-host"


def test_workers_take_distinct_slots_and_a_freed_slot_is_taken_again() -> None:
    base = unique("slots")
    first, second = claim_slot(base, 2), claim_slot(base, 2)
    try:
        assert {first.client_id, second.client_id} == {f"{base}-0", f"{base}-1"}
        crowded = claim_slot(base, 2, wait=0)
        assert crowded.client_id == f"{base}-p{os.getpid()}"
        first.release()  # the worker ended: its replacement resumes its session
        again = claim_slot(base, 2, wait=0)
        assert again.client_id == first.client_id
        again.release()
    finally:
        first.release()
        second.release()


def test_long_client_ids_stay_within_the_mqtt_limit() -> None:
    slot = claim_slot("x" * 64, 3)
    try:
        assert len(slot.client_id) <= 64 and slot.client_id.endswith("-0")
    finally:
        slot.release()
