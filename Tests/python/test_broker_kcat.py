"""`custody broker` with kcat, the way an operator pokes at it: headers round-trip."""
import shutil
import subprocess

import pytest

from custody_harness import Broker


def test_kcat_round_trips_records_with_headers_through_custody_broker():
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is not installed: scripts/setup.sh installs it (apt-get install kcat)")
    broker = Broker(["kcat-topic:3"])
    try:
        lines = "".join(f"key-{i}:value-{i}\n" for i in range(20))
        subprocess.run([kcat, "-P", "-b", broker.bootstrap, "-t", "kcat-topic", "-K:", "-H", "trace=abc", "-H", "trace=def",
                        "-H", "policy-id=p1"], input=lines, text=True, check=True, timeout=30)
        out = subprocess.run([kcat, "-C", "-b", broker.bootstrap, "-t", "kcat-topic", "-e", "-q", "-f", "%k|%s|%h\n"],
                             capture_output=True, text=True, check=True, timeout=30).stdout
        records = sorted(line.split("|") for line in out.splitlines())
        assert len(records) == 20
        for key, value, headers in records:
            assert value == key.replace("key", "value")
            assert headers == "trace=abc,trace=def,policy-id=p1"
    finally:
        broker.stop()
