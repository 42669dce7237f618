"""Reading wrk's --latency report (bench/wrk.py)."""

import pytest

from bench.wrk import WrkError, parse, to_ms

REPORT = """Running 3s test @ http://127.0.0.1:40123/products/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.37ms    8.02ms 112.40ms   81.23%
    Req/Sec   376.51     40.12   464.00     70.00%
  Latency Distribution
     50%  812.00us
     75%   24.10ms
     90%   31.52ms
     99%    1.02s
  2254 requests in 3.01s, 40.22MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:    749.12
Transfer/sec:     13.36MB
"""


def test_the_report_gives_requests_per_second_and_percentiles_in_ms():
    """A wrk report reads as requests/s, p50 and p99 in milliseconds, and its errors."""
    # given wrk's report of a run with some errors
    # when it is parsed
    result = parse(REPORT)
    # then every figure is in the unit the table prints
    assert result["rps"] == 749.12
    assert result["p50_ms"] == pytest.approx(0.812)
    assert result["p75_ms"] == pytest.approx(24.1)
    assert result["p99_ms"] == pytest.approx(1020.0)
    assert result["requests"] == 2254
    assert result["non_2xx_3xx"] == 7
    assert result["socket_errors"] == 3


def test_a_clean_run_counts_no_errors():
    """A run without error lines counts no errors."""
    clean = "\n".join(line for line in REPORT.splitlines()
                      if "errors" not in line and "Non-2xx" not in line)
    result = parse(clean)
    assert result["non_2xx_3xx"] == 0 and result["socket_errors"] == 0


def test_a_report_without_the_latency_distribution_is_refused():
    """Without --latency there is no p99, and the bench says so instead of guessing."""
    without = REPORT.split("  Latency Distribution")[0] + "Requests/sec:    749.12\n"
    with pytest.raises(WrkError, match="latency distribution"):
        parse(without)


@pytest.mark.parametrize(("text", "ms"), [("950.00us", 0.95), ("3.41ms", 3.41), ("2.00s", 2000.0),
                                          ("1.50m", 90_000.0)])
def test_durations_convert_to_milliseconds(text, ms):
    """wrk's us, ms, s and m durations all become milliseconds."""
    assert to_ms(text) == pytest.approx(ms)
