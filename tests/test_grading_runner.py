"""The process boundary: captured output, result frames, and refusing anything but plain data from the child."""

from __future__ import annotations

import os
import pickle
import threading
import time

import numpy as np
import pytest

from dlquiz.grading import runner


def test_output_keeps_the_start_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(runner, "OUTPUT_LIMIT", 10)
    sink = runner._Sink(12, count_characters=True)
    for chunk in (b"0123456", "789ab梯度".encode(), b"cdef"):
        sink.feed(chunk)
    captured = sink.text()
    # 12 bytes kept ("0123456789ab"), 10 characters shown; then 2 kept and 2 + 4 dropped characters are counted
    assert captured.text == "0123456789" and captured.dropped == 2 + 2 + 4
    assert sink.dropped_bytes == 6 + 4


def test_a_character_split_across_reads_is_decoded_whole():
    encoded = "梯度".encode()
    sink = runner._Sink(100, count_characters=True)
    sink.feed(encoded[:2])
    sink.feed(encoded[2:])
    assert sink.text().text == "梯度"


def test_a_pipe_is_read_to_its_end_and_closed_by_its_reader():
    read, write = os.pipe()
    sink = runner._Sink(5)
    reader = threading.Thread(target=runner._pump, args=(read, sink))
    reader.start()
    os.write(write, b"abcdefgh")
    os.close(write)
    reader.join(timeout=5)
    assert not reader.is_alive() and sink.data() == b"abcde" and sink.dropped_bytes == 3
    with pytest.raises(OSError):
        os.fstat(read)  # closed by the reader, never by anyone else while it reads


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


def test_results_are_read_up_to_a_limit(tmp_path):
    path = tmp_path / "results.bin"
    path.write_bytes(frame(event="started") + frame(event="done") + b"\xff" * 10_000)
    assert runner.read_frames(path, limit=len(frame(event="started")) + 5) == [{"event": "started"}]
    huge_header = (2**62).to_bytes(8, "little") + b"x" * 100  # claims a frame far larger than what follows
    assert runner.parse_frames(frame(event="started") + huge_header) == [{"event": "started"}]


def test_a_forged_frame_of_shared_references_decodes_quickly():
    inner: dict = {"__dlquiz__": "list", "items": [1.0] * 1000}
    middle = {"__dlquiz__": "list", "items": [inner] * 1000}  # pickled once; 10**9 values if expanded
    outer = {"__dlquiz__": "list", "items": [middle] * 1000}
    started = time.perf_counter()
    decoded = runner.decode_value(pickle.loads(pickle.dumps(outer)))
    assert time.perf_counter() - started < 5
    assert decoded[-1] == runner.Opaque("object", "<too many values to read back>")


def test_decoding_values():
    data = np.arange(6.0).reshape(2, 3)
    encoded = {"__dlquiz__": "ndarray", "dtype": "<f8", "shape": [2, 3], "data": data.tobytes()}
    assert np.array_equal(runner.decode_value(encoded), data)
    scalar = runner.decode_value({"__dlquiz__": "scalar", "dtype": "<f8", "shape": [], "data": np.float64(2).tobytes()})
    assert isinstance(scalar, np.float64) and scalar == 2.0
    assert runner.decode_value({"__dlquiz__": "tuple", "items": [1, 2.5]}) == (1, 2.5)
    assert runner.decode_value(
        {"__dlquiz__": "ndarray", "dtype": "<f8", "shape": [9000, 9000], "too_big": True}
    ) == runner.BigArray((9000, 9000), "<f8", "too_big")
    broken = runner.decode_value({"__dlquiz__": "ndarray", "dtype": "<f8", "shape": [5], "data": b"123"})
    assert isinstance(broken, runner.BigArray)
    assert runner.decode_value({"__dlquiz__": "opaque", "type": "Tensor", "repr": "T"}) == runner.Opaque("Tensor", "T")


def test_the_child_runs_calls_with_fresh_inputs_and_sends_the_arguments_back(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text("def f(x, unused=0):\n    x += 1\n    return x.sum()\n", encoding="utf-8")
    shared = np.zeros(3)
    calls = [("f", pickle.dumps(((shared,), {}))), ("f", pickle.dumps(((shared,), {"unused": 2})))]
    outcome = runner.start(learner, ["f"], calls, time_limit_s=20, memory_limit_mb=2048).wait()
    results = [f for f in outcome.frames if f["event"] == "result"]
    assert [runner.decode_value(r["value"]) for r in results] == [3.0, 3.0]  # the second call did not see +1
    first, second = (runner.decode_value(r["arguments"]) for r in results)
    assert np.array_equal(first["args"][0], np.ones(3)) and first["kwargs"] == {}
    assert second["kwargs"] == {"unused": 2}
    assert outcome.frames[-1] == {"event": "done"} and not outcome.timed_out
    assert outcome.returncode == 0 and outcome.stderr.text == ""


def test_the_child_names_inputs_a_result_shares_memory_with(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text("def f(x, pair):\n    return pair[1][::2], x + 1\n", encoding="utf-8")
    calls = [("f", pickle.dumps(((np.zeros(4), [np.zeros(2), np.arange(6.0)]), {})))]
    outcome = runner.start(learner, ["f"], calls, time_limit_s=20, memory_limit_mb=2048).wait()
    result = next(f for f in outcome.frames if f["event"] == "result")
    assert result["aliases"] == [[1, 1]]  # argument 2, item 1: the view; x + 1 is a new array


@pytest.mark.parametrize("value", [[1, [2, (3,)]], {"a": 1, "b": [True]}, "text", None, 7, 2.5, np.float32(1.5)])
def test_the_child_sends_any_value_as_plain_data(tmp_path, value):
    learner = tmp_path / "learner.py"
    learner.write_text(
        f"import pickle\nVALUE = pickle.loads(bytes.fromhex({pickle.dumps(value).hex()!r}))\ndef f():\n    return VALUE\n",
        encoding="utf-8",
    )
    outcome = runner.start(
        learner, ["f"], [("f", pickle.dumps(((), {})))], time_limit_s=20, memory_limit_mb=2048
    ).wait()
    result = next(f for f in outcome.frames if f["event"] == "result")
    decoded = runner.decode_value(result["value"])
    assert decoded == value and type(decoded) is type(value)


def test_a_dict_with_other_keys_comes_back_as_an_opaque_object(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text("def f():\n    return {1: 'one'}\n", encoding="utf-8")
    outcome = runner.start(
        learner, ["f"], [("f", pickle.dumps(((), {})))], time_limit_s=20, memory_limit_mb=2048
    ).wait()
    result = next(f for f in outcome.frames if f["event"] == "result")
    assert runner.decode_value(result["value"]) == runner.Opaque("dict", "{1: 'one'}")
