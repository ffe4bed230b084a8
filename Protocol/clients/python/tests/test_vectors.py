"""Protocol/vectors through the Python client's checked connection, against the
real daemon: one fresh daemon (empty, unlocked, `file` key store) per vector,
the steps on one connection (PROTOCOL.md section 12)."""
import time

import pytest

from conftest import VECTORS, Daemon
from locket.connection import Connection
from locket.errors import ConnectionFailed
from vectors import (IntText, VectorError, last_request_op, load_vector, match, match_line, parse_json,
                     parse_vector, substitute)

NAMES = sorted(path.name[:-len(".vector")] for path in VECTORS.glob("*.vector"))
ANSWER_TIMEOUT = 15.0


def test_the_vector_folder_loads_strictly_and_is_not_empty():
    assert len(NAMES) >= 10
    for name in NAMES:
        load_vector(VECTORS / f"{name}.vector")


@pytest.mark.parametrize("text, problem", [
    ("comment: x\nrequire: fresh-vault\n\n> {}\n< {}\n", "unknown header key"),
    ("comment: x\ncomment: y\n\n> {}\n< {}\n", "appears twice"),
    ("comment: x\nrequires: warm-vault\n\n> {}\n< {}\n", "unknown requirement"),
    ("comment:\n\n> {}\n< {}\n", "is empty"),
    ("requires: fresh-vault\n\n> {}\n< {}\n", "missing the required header"),
    ("comment: x\n\n>raw {}\\q\n< {}\n", "unknown escape"),
    ("comment: x\n\n> {}\n>eof\n> {}\n< {}\n< {}\n", "after >eof"),
    ("comment: x\n\n< {}\n> {}\n", "only 0 lines were sent"),
    ("comment: x\n\n> {}\n> {}\n< {}\n", "2 request lines are sent but 1"),
    ("comment: x\n\n> {}\n< \"$integer\"\n", "unknown placeholder"),
    ("comment: x\r\n\n> {}\n< {}\n", "carriage return"),
    ("comment: x\n\n> {}\nwhat\n< {}\n", "a step starts with"),
    ("comment: x\n\n> {\"a\":\"${t}\"}\n< {}\n", "not saved by an earlier step"),
    ("comment: x\n\n> {}\n< \"$save:t\"\n> {}\n< \"$save:t\"\n", "saved twice"),
    ("comment: x\n\n> {}\n< \"$save:t-1\"\n", "a saved NAME"),
    ("comment: x\n\n> {}\n< \"$save:t\"\n> ${t\n< {}\n", "must start a"),
])
def test_the_parser_fails_loudly(text, problem):
    with pytest.raises(VectorError, match=problem):
        parse_vector(text.encode(), "bad")


def test_raw_escapes_and_matching_rules():
    vector = parse_vector(b'comment: x\n\n>raw a\\x00\\r\\n\\t\\\\\xc3\xa9\\n\n< {}\n< {}\n', "raw")
    assert vector.steps[0].data == b"a\x00\r\n\t\\\xc3\xa9\n"
    assert match(parse_json("9007199254740993"), parse_json("9007199254740992")) is not None
    assert match(parse_json("1"), parse_json("1.0")) is None          # other numbers compare as doubles
    assert match(parse_json("1"), parse_json("true")) is not None     # booleans never match numbers
    assert match(parse_json('"$int"'), parse_json("1.5")) is not None
    assert match(parse_json('"$$any"'), parse_json('"$any"')) is None
    assert match(parse_json('"$$any"'), parse_json('"x"')) is not None
    assert match(parse_json('"$timestamp"'), parse_json('"2026-02-29T00:00:00Z"')) is not None
    assert match(parse_json('"$timestamp-or-null"'), parse_json("null")) is None
    assert match(parse_json('{"a":1}'), parse_json('{"a":1,"b":2}')) is not None
    assert isinstance(parse_json("12345678901234567890123"), IntText)
    saved = {}
    assert match(parse_json('{"lease":"$save:tok"}'), parse_json('{"lease":"abc-1"}'), saved=saved) is None
    assert saved == {"tok": "abc-1"}
    assert match(parse_json('"$save:n"'), parse_json("1")) is not None
    assert substitute(b'{"lease":"${tok}","x":"${tok}"}', saved) == b'{"lease":"abc-1","x":"abc-1"}'


@pytest.mark.parametrize("name", NAMES)
def test_vector(name):
    vector = load_vector(VECTORS / f"{name}.vector")
    daemon = Daemon().start()
    try:
        conn = Connection(daemon.socket)
        saved = {}
        previous_was_send = False
        for step in vector.steps:
            where = f"{name}.vector:{step.line}"
            if step.kind == "send":
                if previous_was_send:
                    time.sleep(0.02)  # consecutive sends arrive as separate writes
                else:
                    assert not conn.peer_closed(), f"{where}: the daemon sent something no step expects"
                conn.send(substitute(step.data, saved), ANSWER_TIMEOUT)
                previous_was_send = True
            elif step.kind == "eof":
                conn.shutdown_write()
                previous_was_send = False
            else:
                previous_was_send = False
                line = conn.read_line(ANSWER_TIMEOUT)
                assert line is not None, f"{where}: the connection closed before this response"
                problem = match_line(step.pattern, line, saved)
                assert problem is None, f"{where}: {problem}"
        op, _ = last_request_op(vector)
        if op == "watch":
            # watch is the connection's last request: a later line is never answered.
            try:
                conn.send(b'{"id":"vector-end","op":"ping"}\n', ANSWER_TIMEOUT)
            except ConnectionFailed:
                pass  # a refused watch closes the connection: not answered either
            else:
                try:
                    assert conn.read_line(0.5) is None, f"{name}: a line after watch was answered"
                except ConnectionFailed:
                    pass  # Timeout: nothing came
        elif vector.ends_input:
            assert conn.read_rest(ANSWER_TIMEOUT) == b"", f"{name}: bytes after the last expected answer"
        elif vector.sent.endswith(b"\n"):
            conn.send(b'{"id":"vector-end","op":"ping"}\n', ANSWER_TIMEOUT)
            assert conn.read_line(ANSWER_TIMEOUT) == b'{"id":"vector-end","ok":true}', f"{name}: after the last step"
        conn.close()
        status = daemon.stop()
        assert status == 0, f"{name}: locketd exited with {status}; log:\n{daemon.read_log()}"
    finally:
        daemon.remove()
