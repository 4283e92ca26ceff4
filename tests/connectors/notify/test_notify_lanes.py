"""Per-endpoint lanes of the notifier: slots, claim budget by recent pace, circuit breaker."""

from connectors.notify.breaker import Lane


def _lane() -> Lane:
    return Lane(concurrency=4, threshold=3, cooldown=30.0, lease=60.0, batch=100)


def test_a_new_endpoint_gets_no_more_rows_than_its_slots() -> None:
    lane = _lane()
    assert lane.room(now=0.0) == 4
    lane.held = 3
    assert lane.room(now=0.0) == 1


def test_a_fast_endpoint_gets_bigger_claims_and_a_slow_one_only_what_fits_the_lease() -> None:
    fast, slow = _lane(), _lane()
    fast.record(True, 0.002, now=0.0)
    slow.record(True, 10.0, now=0.0)
    assert fast.room(now=0.0) == 100
    assert slow.room(now=0.0) == 12  # 4 slots x 3 sends of 10 s within half the 60 s lease


def test_consecutive_failures_open_the_breaker_until_a_trial_succeeds() -> None:
    lane = _lane()
    for _ in range(3):
        lane.record(False, 0.1, now=100.0)
    assert lane.open
    assert lane.room(now=110.0) == 0
    assert lane.room(now=131.0) == 1  # half-open: one trial
    lane.record(True, 0.1, now=131.0)
    assert not lane.open
    assert lane.room(now=131.0) > 1
