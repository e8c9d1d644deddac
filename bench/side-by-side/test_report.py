"""The arithmetic behind the side-by-side table: python3 -m unittest discover bench/side-by-side"""
import unittest

import report

HZ = 100


def wrk(requests, seconds=10, p99_us=1000):
    return {"requests": requests, "duration_us": seconds * 1_000_000, "bytes": 0,
            "err_connect": 0, "err_read": 0, "err_write": 0, "err_status": 0, "err_timeout": 0,
            "lat_mean_us": 1.0, "p50_us": 500, "p99_us": p99_us, "p999_us": 2 * p99_us, "lat_max_us": 0}


def run(rnd, path, requests, busy_ticks, p99_us=1000, haproxy_ticks=0, mode="keepalive", xdp_ns=0, xdp_packets=0):
    return {"kind": "run", "round": rnd, "mode": mode, "path": path, "wrk": wrk(requests, p99_us=p99_us),
            "busy_ticks": busy_ticks, "sys_softirq_ticks": 0, "haproxy_ticks": haproxy_ticks,
            "lb_xdp_ns": xdp_ns, "lb_xdp_packets": xdp_packets, "seconds": 10.0, "hz": HZ}


def idle(rnd, busy_ticks, mode="keepalive"):
    return {"kind": "idle", "round": rnd, "mode": mode, "busy_ticks": busy_ticks, "sys_softirq_ticks": 0,
            "seconds": 2.0, "hz": HZ, "loadavg": "0 0 0"}


class SummaryTest(unittest.TestCase):
    def test_ratios_are_per_round_against_that_rounds_direct_run(self):
        # Round 0 is slow for everyone, round 1 fast: per-round ratios stay 0.5 and 0.9.
        runs = [run(0, "direct", 100_000, 0), run(0, "sluice", 50_000, 0),
                run(1, "direct", 300_000, 0), run(1, "sluice", 270_000, 0)]
        rows = report.summarise(runs, {(0, "keepalive"): idle(0, 0), (1, "keepalive"): idle(1, 0)})
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["rps_x"], 0.7)
        self.assertEqual(rows[("keepalive", "sluice")]["rps_x_range"], (0.5, 0.9))
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["rps"], 16_000)

    def test_p99_ratio_is_the_median_of_per_round_ratios_with_its_range_in_the_table(self):
        # A run of two paths (--paths sluice,direct): three rounds whose tails move together
        # (ratios 0.8, 1.05, 2.0), so the median is the middle round's and the range shows all.
        runs = [run(0, "direct", 100_000, 0, p99_us=1000), run(0, "sluice", 100_000, 0, p99_us=800),
                run(1, "direct", 100_000, 0, p99_us=4000), run(1, "sluice", 100_000, 0, p99_us=4200),
                run(2, "direct", 100_000, 0, p99_us=2000), run(2, "sluice", 100_000, 0, p99_us=4000)]
        rows = report.summarise(runs, {(r, "keepalive"): idle(r, 0) for r in range(3)})
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["p99_x"], 1.05)
        self.assertEqual(rows[("keepalive", "sluice")]["p99_x_range"], (0.8, 2.0))
        self.assertIn("| 1.05 (0.80-2.00) |", report.table(rows))
        text = report.verdicts(rows)
        self.assertIn("p99 1.050x direct (target <= 1.10x): met", text)
        self.assertNotIn("HAProxy", text)

    def test_background_cpu_is_subtracted_before_dividing_by_requests(self):
        # Background: 100 ticks in 2 s = 0.5 CPU. A 10 s run with 1,500 ticks busy = 15 CPU-s,
        # of which 5 are background: 10 CPU-s for 100,000 requests = 100 ms per 1,000.
        runs = [run(0, "direct", 100_000, 1500), run(0, "haproxy", 100_000, 2500, haproxy_ticks=300)]
        rows = report.summarise(runs, {(0, "keepalive"): idle(0, 100)})
        self.assertAlmostEqual(rows[("keepalive", "direct")]["cpu"], 100.0)
        self.assertAlmostEqual(rows[("keepalive", "haproxy")]["cpu"], 200.0)
        self.assertAlmostEqual(rows[("keepalive", "haproxy")]["lb_cpu"], 100.0)
        self.assertAlmostEqual(rows[("keepalive", "haproxy")]["haproxy"], 30.0)

    def test_a_negative_cpu_difference_is_not_reported_as_a_met_target(self):
        runs = [run(0, "direct", 100_000, 1500), run(0, "sluice", 100_000, 1400),
                run(0, "haproxy", 100_000, 2500)]
        text = report.verdicts(report.summarise(runs, {(0, "keepalive"): idle(0, 0)}))
        self.assertIn("below this run's noise, target not judged", text)
        self.assertNotIn("HAProxy's (target <= 0.10x): met", text)

    def test_targets_compare_against_the_issue_thresholds(self):
        runs = [run(0, "direct", 100_000, 1000, p99_us=1000), run(0, "sluice", 97_000, 1010, p99_us=1200),
                run(0, "haproxy", 60_000, 2000)]
        text = report.verdicts(report.summarise(runs, {(0, "keepalive"): idle(0, 0)}))
        self.assertIn("req/s 0.970x direct (target >= 0.98x): NOT met", text)
        self.assertIn("p99 1.200x direct (target <= 1.10x): NOT met", text)

    def test_xdp_program_time_is_per_request_and_judged_against_the_haproxy_process(self):
        # 100,000 requests, 300,000 packets at 150 ns: 45 ms of XDP = 0.45 ms per 1,000 requests.
        # HAProxy's process: 300 ticks = 3 s for 100,000 requests = 30 ms per 1,000.
        runs = [run(0, "direct", 100_000, 1000), run(0, "haproxy", 100_000, 2000, haproxy_ticks=300),
                run(0, "sluice", 100_000, 1200, xdp_ns=45_000_000, xdp_packets=300_000)]
        rows = report.summarise(runs, {(0, "keepalive"): idle(0, 0)})
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["xdp"], 0.45)
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["xdp_ns_per_packet"], 150.0)
        self.assertIsNone(rows[("keepalive", "haproxy")]["xdp"])
        text = report.verdicts(rows)
        self.assertIn("sluice's XDP program 0.45 ms / 1k vs HAProxy's process 30.0 ms / 1k = 0.015x", text)
        self.assertIn("(target <= 0.10x): met (neither counts", text)

    def test_runs_recorded_without_xdp_stats_leave_the_column_empty(self):
        old = run(0, "sluice", 100_000, 1200)
        del old["lb_xdp_ns"], old["lb_xdp_packets"]
        rows = report.summarise([run(0, "direct", 100_000, 1000), old], {(0, "keepalive"): idle(0, 0)})
        self.assertIsNone(rows[("keepalive", "sluice")]["xdp"])
        self.assertIn("| - |", report.table(rows))

    def test_split_mode_lb_host_cpu_is_the_receive_thread_plus_the_lbs_own_process(self):
        # 100,000 requests each. sluice: 150 ms in lb1's receive thread + 50 ms of sluiced = 2.0 ms
        # per 1,000; HAProxy: 800 ms receive + 1,200 ms process = 20.0; nftables: receive only.
        def split(rec, lb_receive_ns, sluiced_ns=0, haproxy_ns=0, net_cpu_ticks=0):
            rec.update({"cpus": "split", "lb_receive_ns": lb_receive_ns, "tor_receive_ns": 0,
                        "sluiced_ns": sluiced_ns, "haproxy_ns": haproxy_ns, "host_cpu_ticks": 0,
                        "net_cpu_ticks": net_cpu_ticks})
            return rec
        runs = [split(run(0, "direct", 100_000, 1000), 0, sluiced_ns=7_000_000),
                split(run(0, "sluice", 100_000, 1000), 150_000_000, sluiced_ns=50_000_000, net_cpu_ticks=400),
                split(run(0, "haproxy", 100_000, 2000), 800_000_000, sluiced_ns=9_000_000, haproxy_ns=1_200_000_000),
                split(run(0, "nft", 100_000, 1500), 600_000_000, sluiced_ns=8_000_000, haproxy_ns=3_000_000)]
        rows = report.summarise(runs, {(0, "keepalive"): idle(0, 0)})
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["lb_host"], 2.0)
        self.assertAlmostEqual(rows[("keepalive", "haproxy")]["lb_host"], 20.0)
        self.assertAlmostEqual(rows[("keepalive", "nft")]["lb_host"], 6.0)
        self.assertIsNone(rows[("keepalive", "direct")]["lb_host"])
        self.assertAlmostEqual(rows[("keepalive", "sluice")]["net_busy"], 0.4)
        text = report.verdicts(rows)
        self.assertIn("sluice 2.00 ms / 1k vs HAProxy 20.00 ms / 1k = 0.100x (target <= 0.10x): met", text)

    def test_shared_mode_runs_have_no_lb_host_figure(self):
        rows = report.summarise([run(0, "direct", 100_000, 1000), run(0, "sluice", 100_000, 1200),
                                 run(0, "haproxy", 100_000, 2000, haproxy_ticks=300)],
                                {(0, "keepalive"): idle(0, 0)})
        self.assertIsNone(rows[("keepalive", "sluice")]["lb_host"])
        self.assertNotIn("kernel work included", report.verdicts(rows))


if __name__ == "__main__":
    unittest.main()
