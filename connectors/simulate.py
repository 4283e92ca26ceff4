"""`renkei simulate people-flow`: people-flow counters publishing over MQTT, for demos and
benchmarks.

Each sensor counts the people passing it in 5-minute windows, with the daily rhythm of a
Japanese station street (morning and evening rush, a midday plateau, quiet nights, in
Asia/Tokyo time), its own size, and Poisson-like noise; it publishes CrowdFlowObserved
measures on the IoT Agent JSON topic `/<apikey>/<sensor>/attrs`. One MQTT connection carries
all sensors. The run stops after --duration seconds or --count messages.
"""

import argparse
import asyncio
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from connectors.mqtt.connection import MqttConnection, MqttOptions
from connectors.settings import get_connector_settings

TOKYO = ZoneInfo("Asia/Tokyo")
WINDOW = timedelta(minutes=5)
# Around Yokohama station: sensors are scattered within a few hundred metres.
CENTRE = (139.6226, 35.4660)


@dataclass(frozen=True)
class Sensor:
    device_id: str
    capacity: int  # people per window at the busiest hour
    longitude: float
    latitude: float


def sensors(count: int, *, seed: int = 7) -> list[Sensor]:
    chance = random.Random(seed)
    return [
        Sensor(
            device_id=f"people-flow-{n:05d}",
            capacity=chance.randint(60, 600),
            longitude=round(CENTRE[0] + chance.uniform(-0.01, 0.01), 6),
            latitude=round(CENTRE[1] + chance.uniform(-0.008, 0.008), 6),
        )
        for n in range(count)
    ]


def rhythm(moment: datetime) -> float:
    """Share (0-1) of a sensor's capacity passing at this local time of day."""
    hour = moment.astimezone(TOKYO)
    h = hour.hour + hour.minute / 60
    weekend = hour.weekday() >= 5
    morning = (0.35 if weekend else 1.0) * math.exp(-(((h - 8.2) / 1.1) ** 2))
    evening = (0.5 if weekend else 0.85) * math.exp(-(((h - 18.3) / 1.6) ** 2))
    midday = (0.6 if weekend else 0.45) * math.exp(-(((h - 13.0) / 2.8) ** 2))
    return min(1.0, 0.03 + morning + evening + midday)


def measure(sensor: Sensor, now: datetime, chance: random.Random) -> dict[str, Any]:
    """One 5-minute window of counts ending `now`, as CrowdFlowObserved attributes."""
    mean = sensor.capacity * rhythm(now)
    count = max(0, round(chance.gauss(mean, math.sqrt(mean) + 1)))
    local_hour = now.astimezone(TOKYO).hour
    towards_share = 0.7 if local_hour < 12 else 0.35  # to the station in the morning
    towards = min(count, max(0, round(count * chance.gauss(towards_share, 0.05))))
    occupancy = round(min(1.0, count / sensor.capacity * 0.8), 3)
    start = now - WINDOW
    return {
        "peopleCount": count,
        "peopleCountTowards": towards,
        "peopleCountAway": count - towards,
        "dateObservedFrom": start.isoformat(timespec="seconds"),
        "dateObservedTo": now.isoformat(timespec="seconds"),
        "occupancy": occupancy,
        "congested": occupancy > 0.7,
        "direction": "inbound" if towards >= count - towards else "outbound",
    }


def payload(sensor: Sensor, now: datetime, chance: random.Random, *, first: bool) -> bytes:
    body = measure(sensor, now, chance)
    if first:  # where the sensor is, sent once (the entity keeps it)
        body["location"] = {"type": "Point", "coordinates": [sensor.longitude, sensor.latitude]}
    return orjson.dumps(body)


@dataclass
class Progress:
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0


async def publish_people_flow(
    connection: MqttConnection,
    *,
    apikey: str,
    sensor_count: int,
    rate: float,
    duration: float | None = None,
    count: int | None = None,
    qos: int = 1,
    in_flight: int = 200,
    on_progress: Callable[..., None] | None = None,
) -> Progress:
    """Publish `rate` messages/s (0: as fast as the broker acknowledges) round-robin over the
    sensors until `duration` seconds or `count` messages; returns what was sent."""
    if duration is None and count is None:
        raise ValueError("give a duration or a count: a simulation must stop by itself")
    chance = random.Random(11)
    fleet = sensors(sensor_count)
    done = Progress()
    limit = asyncio.Semaphore(in_flight)
    started = time.monotonic()
    pending: set[asyncio.Task[None]] = set()

    async def send(topic: str, body: bytes) -> None:
        try:
            await connection.publish(topic, body, qos=qos)
            done.acknowledged += 1
        except Exception:
            done.failed += 1
        finally:
            limit.release()

    n = 0
    last_report = started
    while (count is None or n < count) and (
        duration is None or time.monotonic() - started < duration
    ):
        sensor = fleet[n % len(fleet)]
        now = datetime.now(TOKYO)
        await limit.acquire()
        body = payload(sensor, now, chance, first=n < len(fleet))
        task = asyncio.create_task(send(f"/{apikey}/{sensor.device_id}/attrs", body))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
        done.sent = n
        if rate > 0:
            ahead = started + n / rate - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
        if on_progress is not None and time.monotonic() - last_report >= 0.5:
            last_report = time.monotonic()
            on_progress(done, last_report - started)
    if pending:
        await asyncio.gather(*pending)
    if on_progress is not None:
        on_progress(done, time.monotonic() - started, True)
    return done


def _printer() -> Callable[..., None]:
    tty = sys.stdout.isatty()
    last = [0.0]

    def show(progress: Progress, seconds: float, final: bool = False) -> None:
        line = (
            f"sent {progress.sent:,}  acknowledged {progress.acknowledged:,}  "
            f"failed {progress.failed:,}  {progress.acknowledged / max(seconds, 1e-9):,.0f} msg/s  "
            f"{seconds:,.1f} s"
        )
        if tty:
            print("\r" + line, end="", flush=True)
        elif final or seconds - last[0] >= 5:
            last[0] = seconds
            print(line, flush=True)

    return show


def _default_url() -> str:
    settings = get_connector_settings()
    return settings.mqtt_url or f"mqtt://127.0.0.1:{settings.mqtt_port}"


async def _simulate(args: argparse.Namespace) -> int:
    if args.sensors < 1 or args.rate < 0:
        print("--sensors must be at least 1 and --rate at least 0", file=sys.stderr)
        return 2
    if args.duration is None and args.count is None:
        args.duration = 60.0
    url = args.url or _default_url()
    options = MqttOptions.from_url(
        url, client_id=f"renkei-simulator-{random.randrange(1 << 30)}", protocol=args.protocol
    )
    print(
        f"{args.sensors} people-flow sensors publishing to {url} with API key {args.apikey} "
        f"({args.rate:g} msg/s; Ctrl-C stops)"
    )
    async with MqttConnection(options) as connection:
        done = await publish_people_flow(
            connection,
            apikey=args.apikey,
            sensor_count=args.sensors,
            rate=args.rate,
            duration=args.duration,
            count=args.count,
            on_progress=_printer(),
        )
    print()
    return 0 if done.failed == 0 else 1


def _command(args: argparse.Namespace) -> int:
    return asyncio.run(_simulate(args))


def register(commands: Any) -> None:
    simulate = commands.add_parser("simulate", help="simulated devices for demos and benchmarks")
    kinds = simulate.add_subparsers(dest="kind", required=True)
    people = kinds.add_parser("people-flow", help="people-flow counters (CrowdFlowObserved)")
    people.add_argument("--sensors", type=int, default=10, help="how many sensors (default 10)")
    people.add_argument(
        "--rate", type=float, default=10.0, help="messages per second in all (0: flat out)"
    )
    people.add_argument("--apikey", required=True, help="the service group's API key")
    people.add_argument("--url", default=None, help="default RENKEI_MQTT_URL or the local broker")
    people.add_argument("--protocol", choices=("3.1.1", "5"), default="3.1.1")
    people.add_argument("--duration", type=float, default=None, help="seconds (default 60)")
    people.add_argument("--count", type=int, default=None, help="stop after this many messages")
    people.set_defaults(func=_command)
