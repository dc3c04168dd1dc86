from peerportal.core.privacy import suppress


def test_small_counts_are_suppressed(settings):
    settings.REPORT_SUPPRESSION_THRESHOLD = 5
    assert suppress(0) == "0"
    assert suppress(1) == "<5"
    assert suppress(4) == "<5"
    assert suppress(5) == "5"
    assert suppress(120) == "120"


def test_threshold_is_configurable(settings):
    settings.REPORT_SUPPRESSION_THRESHOLD = 10
    assert suppress(9) == "<10"
    assert suppress(10) == "10"
