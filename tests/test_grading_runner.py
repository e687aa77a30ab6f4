"""The process boundary: captured output, result frames, and refusing anything but plain data from the child."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from dlquiz.grading import runner


class Chunks(io.RawIOBase):
    def __init__(self, chunks):
        self.chunks = list(chunks)

    def readable(self):
        return True

    def read1(self, size=-1):
        return self.chunks.pop(0) if self.chunks else b""

    read = read1


def test_output_keeps_the_start_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(runner, "OUTPUT_LIMIT", 10)
    captured = runner.Captured()
    runner._drain(Chunks([b"0123456", b"789abcdef"]), captured)
    assert captured.text == "0123456789" and captured.dropped == 6


def test_a_character_split_across_reads_is_decoded_whole():
    encoded = "梯度".encode()
    captured = runner.Captured()
    runner._drain(Chunks([encoded[:2], encoded[2:]]), captured)
    assert captured.text == "梯度"


def frame(**data) -> bytes:
    body = pickle.dumps(data, protocol=4)
    return len(body).to_bytes(8, "little") + body


def test_frames_cut_short_by_a_kill_are_dropped(tmp_path):
    path = tmp_path / "results.bin"
    path.write_bytes(frame(event="started") + frame(event="begin", index=0)[:-3])
    assert runner.read_frames(path) == [{"event": "started"}]


def test_frames_may_not_contain_objects(tmp_path):
    body = pickle.dumps({"event": "result", "value": np.zeros(2)}, protocol=4)  # needs numpy globals: refused
    path = tmp_path / "results.bin"
    path.write_bytes(frame(event="started") + len(body).to_bytes(8, "little") + body)
    assert runner.read_frames(path) == [{"event": "started"}]
    assert runner.read_frames(tmp_path / "missing.bin") == []


def test_decoding_values():
    data = np.arange(6.0).reshape(2, 3)
    encoded = {"__dlquiz__": "ndarray", "dtype": "<f8", "shape": [2, 3], "data": data.tobytes()}
    assert np.array_equal(runner.decode_value(encoded), data)
    scalar = runner.decode_value({"__dlquiz__": "scalar", "dtype": "<f8", "shape": [], "data": np.float64(2).tobytes()})
    assert isinstance(scalar, np.float64) and scalar == 2.0
    assert runner.decode_value({"__dlquiz__": "tuple", "items": [1, 2.5]}) == (1, 2.5)
    assert runner.decode_value({"__dlquiz__": "ndarray", "dtype": "<f8", "shape": [9000, 9000], "too_big": True}) == \
        runner.BigArray((9000, 9000), "<f8", "too_big")
    broken = runner.decode_value({"__dlquiz__": "ndarray", "dtype": "<f8", "shape": [5], "data": b"123"})
    assert isinstance(broken, runner.BigArray)
    assert runner.decode_value({"__dlquiz__": "opaque", "type": "Tensor", "repr": "T"}) == runner.Opaque("Tensor", "T")


def test_the_child_runs_calls_with_fresh_inputs_and_reports_mutation(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text("def f(x):\n    x += 1\n    return x.sum()\n", encoding="utf-8")
    shared = np.zeros(3)
    calls = [("f", pickle.dumps(((shared,), {}))), ("f", pickle.dumps(((shared,), {})))]
    outcome = runner.start(learner, ["f"], calls, time_limit_s=20, memory_limit_mb=2048).wait()
    results = [f for f in outcome.frames if f["event"] == "result"]
    assert [runner.decode_value(r["value"]) for r in results] == [3.0, 3.0]  # the second call did not see +1
    assert all(r["mutated"] == ["x"] for r in results)
    assert outcome.frames[-1] == {"event": "done"} and not outcome.timed_out


def test_the_child_reports_results_that_share_an_input_s_memory(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text("def same(x, y):\n    return x\n"
                       "def view(x, y):\n    return (y.copy(), x[:, ::2].T)\n"
                       "def fresh(x, y):\n    return (x + 0, y.copy(), [x * 1])\n", encoding="utf-8")
    payload = pickle.dumps(((np.ones((2, 4)), np.zeros(3)), {}))
    calls = [("same", payload), ("view", payload), ("fresh", payload)]
    outcome = runner.start(learner, ["same", "view", "fresh"], calls, time_limit_s=20, memory_limit_mb=2048).wait()
    results = [f for f in outcome.frames if f["event"] == "result"]
    assert [r["aliased"] for r in results] == [["x"], ["x"], []]
    assert all(r["mutated"] == [] for r in results)


@pytest.mark.parametrize("value", [[1, [2, (3,)]], {"a": 1}, "text", None, 7, 2.5, np.float32(1.5)])
def test_the_child_sends_any_value_as_plain_data(tmp_path, value):
    learner = tmp_path / "learner.py"
    learner.write_text("import pickle\nVALUE = pickle.loads(bytes.fromhex(%r))\ndef f():\n    return VALUE\n"
                       % pickle.dumps(value).hex(), encoding="utf-8")
    outcome = runner.start(learner, ["f"], [("f", pickle.dumps(((), {})))], time_limit_s=20,
                           memory_limit_mb=2048).wait()
    result = next(f for f in outcome.frames if f["event"] == "result")
    decoded = runner.decode_value(result["value"])
    if isinstance(value, dict):
        assert decoded == runner.Opaque("dict", "{'a': 1}")
    else:
        assert decoded == value and type(decoded) is type(value)
