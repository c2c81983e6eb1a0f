"""Starts `custody broker` and `custody run` as processes and talks to them only through
topics with confluent-kafka, the way users do."""
import hashlib
import json
import os
import pathlib
import signal
import subprocess
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("CUSTODY_BIN", str(ROOT / ".build" / "debug" / "custody"))
STRUCTURED = [("content-type", "application/cloudevents+json")]


class Broker:
    def __init__(self, topics=None):
        args = [BINARY, "broker"]
        for topic in topics or []:
            args += ["--topic", topic]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        STARTED.append(self.process)
        self.bootstrap = self.process.stdout.readline().strip()
        assert self.bootstrap.startswith("127.0.0.1:"), self.bootstrap

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


STARTED = []


def stop_leftovers():
    """Kills every process a test started and did not stop (a failed test leaves them)."""
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(10)


class Custody:
    """`custody run` with a configuration in a temporary directory."""

    def __init__(self, bootstrap, workdir, policies=("retention.yaml",), extra="", commit_interval_ms=200, processing=""):
        self.bootstrap = bootstrap
        self.workdir = pathlib.Path(workdir)
        (self.workdir / "policies").mkdir(exist_ok=True)
        for name in policies:
            (self.workdir / "policies" / name).write_text((ROOT / "examples/policies" / name).read_text())
        self.listed = ", ".join(f"policies/{name}" for name in policies)
        self.extra = extra
        self.processing = processing
        self.configure(commit_interval_ms)
        self.process = None
        self.log = self.workdir / "custody.log"

    def configure(self, commit_interval_ms):
        (self.workdir / "custody.yaml").write_text(
            "kafka: {groupId: custody-e2e, properties: {session.timeout.ms: \"6000\", heartbeat.interval.ms: \"500\"}}\n"
            f"policies: [{self.listed}]\nprocessing: {{commitIntervalMs: {commit_interval_ms}{', ' + self.processing if self.processing else ''}}}\n"
            f"{self.extra}")

    def start(self):
        self.process = subprocess.Popen([BINARY, "run", "--config", str(self.workdir / "custody.yaml"),
                                         "--bootstrap-servers", self.bootstrap],
                                        stdout=subprocess.DEVNULL, stderr=open(self.log, "a"))
        STARTED.append(self.process)
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.process.send_signal(sig)
        return self.process.wait(timeout)


def event(i, kind, data, subject, time_="2026-11-01T00:00:00Z", source="//e2e"):
    return json.dumps({"specversion": "1.0", "id": f"e{i}", "source": source, "type": f"data.lifecycle.{kind}",
                       "time": time_, "subject": subject, "data": data}).encode()


def produce(bootstrap, records, topic="lifecycle.events"):
    """records: (key, value, headers) tuples, produced in order and flushed."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for key, value, headers in records:
        producer.produce(topic, key=key, value=value, headers=headers)
        producer.poll(0)
    assert producer.flush(30) == 0


def read_all(bootstrap, topic, expected=None, timeout=30.0, settle=1.5):
    """Every record of a topic, from the beginning (assigned, no group: no join delay):
    waits for `expected` records; otherwise reads at least up to the end offsets the topic
    had when called (a slow first fetch does not cut the read short), then until nothing new
    arrives for `settle` seconds."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4()}",
                         "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions}
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])

    def caught_up():
        positions = consumer.position([TopicPartition(topic, p) for p in partitions if ends[p] > 0])
        return all(tp.offset >= ends[tp.partition] for tp in positions)

    records = []
    deadline = time.time() + timeout
    last_new = time.time()
    while time.time() < deadline:
        batch = consumer.consume(500, 0.1)
        fresh = [m for m in batch if not m.error()]
        records += fresh
        if fresh:
            last_new = time.time()
        if expected is not None and len(records) >= expected:
            break
        if expected is None and time.time() - last_new > settle and caught_up():
            break
    consumer.close()
    return records


def headers_of(message):
    return {k: (v.decode() if v is not None else None) for k, v in (message.headers() or [])}


def record_of(messages, event_id):
    """The one record whose value is the event `event_id` (a tagged copy, a dead letter).
    Records of different partitions come back in no particular order: find, do not index."""
    found = [m for m in messages if json.loads(m.value()).get("id") == event_id]
    assert len(found) == 1, f"{len(found)} records of event {event_id}"
    return found[0]


def committed_total(bootstrap, group, topic, partitions):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    offsets = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
    consumer.close()
    return sum(max(o.offset, 0) for o in offsets)


def wait_until(condition, timeout=30.0, interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def verify_audit_chains(audit):
    """Every chain is complete and every hash is SHA-256(previous hash ‖ canonical record without hash)."""
    chains = {}
    for record in audit:
        chains.setdefault(record["chain"], []).append(record)
    for records in chains.values():
        records.sort(key=lambda r: r["sequence"])
        previous = "0" * 64
        for index, record in enumerate(records):
            assert record["sequence"] == index and record["previousHash"] == previous, (record["chain"], index)
            body = {k: v for k, v in record.items() if k != "hash"}
            canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            assert hashlib.sha256(bytes.fromhex(previous) + canonical).hexdigest() == record["hash"], (record["chain"], index)
            previous = record["hash"]
    return chains
