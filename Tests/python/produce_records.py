"""Produces N records with confluent-kafka, as a user's platform would: key "key-i",
value "value-i", a binary header and a repeated header. Prints the count it flushed.
usage: produce_records.py BOOTSTRAP TOPIC N"""
import sys

from confluent_kafka import Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
failures = []


def on_delivery(error, message):
    if error is not None:
        failures.append(error)


for i in range(count):
    producer.produce(topic, key=f"key-{i}", value=f"value-{i}",
                     headers=[("binary", bytes([0, 255, i % 256])), ("trace", b"a"), ("trace", b"b")],
                     on_delivery=on_delivery)
    producer.poll(0)
remaining = producer.flush(30)
if remaining or failures:
    print(f"undelivered={remaining} failures={failures[:3]}", file=sys.stderr)
    sys.exit(1)
print(count)
