"""Unit tests of bench/pps/report.py's arithmetic: python3 -m unittest discover bench/pps"""
import math
import unittest

import report

CLK_TCK = 100.0


def row(rnd, path, sent, seconds, handled, cpu_s, softirqd_ticks=0, load=1.0):
    return {"round": str(rnd), "path": path, "sent": str(sent), "seconds": str(seconds), "gen_cpu_s": str(cpu_s),
            "softirqd_ticks": str(softirqd_ticks), "lb_in": str(sent), "handled": str(handled),
            "not_enqueued": "0", "load1": str(load)}


class ParseTest(unittest.TestCase):
    def test_core_time_is_the_generator_plus_ksoftirqd(self):
        (run,) = report.parse([row(1, "sluice-tx", 10_000_000, 5.0, 8_000_000, 3.0, softirqd_ticks=100)], CLK_TCK)
        # 3 s + 100 ticks (1 s) = 4 s of the core
        self.assertAlmostEqual(run["core_ns_per_packet"], 400.0)  # 4 s / 10,000,000 sent
        self.assertAlmostEqual(run["per_core_pps"], 2_000_000)  # 8,000,000 handled / 4 s
        self.assertAlmostEqual(run["wall_pps"], 1_600_000)
        self.assertAlmostEqual(run["handled_share"], 0.8)

    def test_over_floor_is_the_difference_to_the_same_rounds_sink(self):
        runs = report.parse([
            row(1, "xdp-sink", 1_000_000, 1.0, 1_000_000, 0.2),  # 200 ns
            row(1, "nft-drop", 1_000_000, 1.0, 1_000_000, 0.9),  # 900 ns
            row(2, "xdp-sink", 1_000_000, 1.0, 1_000_000, 0.3),  # 300 ns
            row(2, "nft-drop", 1_000_000, 1.0, 1_000_000, 0.9),
            row(3, "nft-drop", 1_000_000, 1.0, 1_000_000, 0.9),  # no floor in round 3
        ], CLK_TCK)
        over = {(r["round"], r["path"]): r["over_floor_ns"] for r in runs}
        self.assertAlmostEqual(over[(1, "nft-drop")], 700.0)
        self.assertAlmostEqual(over[(2, "nft-drop")], 600.0)
        self.assertIsNone(over[(3, "nft-drop")])
        self.assertIsNone(over[(1, "xdp-sink")])

    def test_no_core_time_gives_no_rate(self):
        (run,) = report.parse([row(1, "nft-dnat", 1000, 1.0, 0, 0.0)], CLK_TCK)
        self.assertTrue(math.isnan(run["per_core_pps"]))


class RatioTest(unittest.TestCase):
    def test_ratios_are_taken_within_a_round_then_the_median(self):
        runs = report.parse([
            row(1, "xdp-sink", 1_000_000, 1.0, 1_000_000, 0.1),
            row(1, "sluice-drop", 1_000_000, 1.0, 1_000_000, 0.15), row(1, "nft-drop", 1_000_000, 1.0, 1_000_000, 0.6),
            row(2, "xdp-sink", 1_000_000, 1.0, 1_000_000, 0.1),
            row(2, "sluice-drop", 1_000_000, 1.0, 1_000_000, 0.2), row(2, "nft-drop", 1_000_000, 1.0, 1_000_000, 0.5),
            row(3, "xdp-sink", 1_000_000, 1.0, 1_000_000, 0.1),
            row(3, "sluice-drop", 1_000_000, 1.0, 1_000_000, 0.3), row(3, "nft-drop", 1_000_000, 1.0, 1_000_000, 0.4),
        ], CLK_TCK)
        drop = next(r for r in report.ratio_medians(runs) if r[0] == "sluice-drop")
        # packets per core second: 0.6/0.15 = 4, 0.5/0.2 = 2.5, 0.4/0.3 = 1.33
        self.assertAlmostEqual(drop[3], 2.5)
        self.assertAlmostEqual(drop[4][0], 0.4 / 0.3)
        self.assertAlmostEqual(drop[4][1], 4.0)
        # over the floor: 50/500 = 0.1, 100/400 = 0.25, 200/300 = 0.667
        self.assertAlmostEqual(drop[5], 0.25)

    def test_a_path_missing_from_every_round_gives_no_ratio(self):
        runs = report.parse([row(1, "sluice-tx", 10, 1.0, 5, 0.1)], CLK_TCK)
        dnat = next(r for r in report.ratio_medians(runs) if r[1] == "nft-dnat")
        self.assertIsNone(dnat[3])

    def test_table_names_every_measured_path(self):
        runs = report.parse([row(1, p, 100, 1.0, 50, 0.1) for p in report.PATH_ORDER], CLK_TCK)
        text = report.table(runs)
        for path in report.PATH_ORDER:
            self.assertIn("| %s |" % path, text)


if __name__ == "__main__":
    unittest.main()
