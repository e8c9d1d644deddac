"""compare_report's table: python3 -m unittest discover -s bench -p 'test_compare_report.py'"""
import os
import tempfile
import unittest

import compare_report

HEADER = ("| path | verdict | wrapper + program min / median / max | wrapper alone (median) "
          "| wrapper + head move (median) | program, restore counted (median difference) "
          "| **program, wrapper's restore excluded** |\n| --- | --- | --- | --- | --- | --- | --- |\n")


def table(rows):
    return HEADER + "".join(f"| {path} | TX | 1 / 2 / 3 | 64.0 | 80.0 | 0 | **{ns}** |\n" for path, ns in rows)


class CompareReportTest(unittest.TestCase):
    def write(self, directory, name, text):
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            f.write(text)

    def test_medians_ratio_and_wins_per_path(self):
        with tempfile.TemporaryDirectory() as d:
            for n, (before, after) in enumerate([(100, 80), (120, 90), (90, 95)], start=1):
                self.write(d, f"before-{n}.md", table([("established", before), ("only before", 1)]))
                self.write(d, f"after-{n}.md", table([("established", after)]))
            text = compare_report.report(d, 3)
        self.assertIn("| established | 100 120 90 | 80 90 95 | 100.0 | 90.0 | 0.90 | 2 of 3 |", text)
        # A path one side lacks (renamed or new) is left out rather than compared with nothing.
        self.assertNotIn("only before", text)

    def test_a_later_table_row_of_the_same_name_wins(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.md")
            self.write(d, "x.md", table([("established", 100)]) + "\n" + table([("established", 70)]))
            self.assertEqual(compare_report.figures(path), {"established": 70.0})


if __name__ == "__main__":
    unittest.main()
