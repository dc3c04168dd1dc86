"""`make bench-reminders` charges each duplicate to the kill that left it (bench/reminders.py).

Its report is the evidence for the duplicate window, so a wrong charge would misreport it.
"""

from bench.reminders import FAR_FROM_KILL, charge_to_kills


def test_each_duplicate_goes_to_the_kill_nearest_its_first_acceptance():
    kills = [10.0, 20.0]
    per_kill, gaps_ms = charge_to_kills(
        [
            (9.997, 1),  # accepted 3 ms before the first kill
            (19.996, 2),  # 4 ms before the second; sent three times
            (20.001, 1),  # the sink noted it 1 ms after the second kill
        ],
        kills,
    )
    assert per_kill == {0: 1, 1: 3}
    assert sorted(gaps_ms) == [-1.0, 3.0, 4.0]


def test_a_re_send_after_a_later_kill_stays_with_the_kill_that_left_it():
    # Left unrecorded by the kill at 10 s, re-sent once its lease ran out, after the kill at
    # 17 s: "the last kill before it was accepted again" would have charged the wrong kill.
    per_kill, gaps_ms = charge_to_kills([(9.998, 1)], [10.0, 17.0])
    assert per_kill == {0: 1}
    assert gaps_ms == [2.0]


def test_a_duplicate_far_from_every_kill_is_reported_as_no_kill():
    per_kill, gaps_ms = charge_to_kills([(5.0, 1)], [5.0 + FAR_FROM_KILL + 0.5])
    assert per_kill == {None: 1}
    assert gaps_ms == []
    assert charge_to_kills([(5.0, 1)], []) == ({None: 1}, [])


def test_the_sink_counts_in_its_own_process_and_hands_the_counts_back():
    import smtplib
    from email.message import EmailMessage

    from bench.reminders import SinkProcess

    from .smtp_server import free_port

    port = free_port()
    sink_process = SinkProcess(port)
    sink_process.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for message_id in ("<a@bench.test>", "<b@bench.test>", "<a@bench.test>"):
                message = EmailMessage()
                message["From"] = "portal@bench.test"
                message["To"] = "person@bench.test"
                message["Message-ID"] = message_id
                message.set_content("invented")
                smtp.send_message(message)
        assert sink_process.cpu_seconds() > 0
    finally:
        sink = sink_process.stop()
    assert sink.ids == {"<a@bench.test>": 2, "<b@bench.test>": 1}
    assert sink.total() == 3
    # Its own clock (the suite pins this process's clock, not the sink's): the first and the
    # last acceptance of the message sent twice, in order.
    assert sink.first_accepted["<a@bench.test>"] <= sink.accepted["<a@bench.test>"]
    assert set(sink.first_accepted) == {"<a@bench.test>", "<b@bench.test>"}
    assert not sink_process.proc.is_alive()
