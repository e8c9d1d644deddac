"""lab/tor_maps.py: the bytes it writes into the lab ToR's maps, and how it reads the counters."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tor_maps  # noqa: E402


class EntryTest(unittest.TestCase):
    def test_port_is_ifindex_to_mac_padded(self):
        self.assertEqual(
            tor_maps.command("/p", "port 5 02:00:0a:00:02:01"),
            "map update pinned /p/tor_ports key hex 05 00 00 00 value hex 02 00 0a 00 02 01 00 00")

    def test_fdb_is_mac_to_ifindex(self):
        self.assertEqual(
            tor_maps.command("/p", "fdb 0e:72:fc:b4:f3:b0 258"),
            "map update pinned /p/tor_fdb key hex 0e 72 fc b4 f3 b0 00 00 value hex 02 01 00 00")

    def test_ipv4_route_key_is_family_then_address_zero_padded(self):
        line = tor_maps.command("/p", "route 10.100.0.1 5 1600 0e:72:fc:b4:f3:b0 02:00:0a:00:02:01")
        key = "04 00 00 00 0a 64 00 01" + " 00" * 12
        value = "05 00 00 00 40 06 00 00 0e 72 fc b4 f3 b0 02 00 0a 00 02 01"
        self.assertEqual(line, f"map update pinned /p/tor_routes key hex {key} value hex {value}")

    def test_ipv6_route_key_holds_all_sixteen_bytes(self):
        line = tor_maps.command("/p", "route fd00:100::1 3 1500 0a:51:4a:6b:9b:bc 2e:62:ea:7f:ef:13")
        self.assertIn("key hex 06 00 00 00 fd 00 01 00" + " 00" * 11 + " 01 value", line)

    def test_malformed_lines_are_refused(self):
        for bad in ("port 5", "fdb zz:00:00:00:00:00 1", "route 10.0.0.300 1 1500 a:b:c:d:e:f a:b:c:d:e:f",
                    "route 10.0.0.1 1 1500 02:00:00:00:00", "nexthop 1 2"):
            with self.assertRaises(ValueError, msg=bad):
                tor_maps.command("/p", bad)


class StatsTest(unittest.TestCase):
    def test_sums_each_field_over_cpus(self):
        dump = [{"key": ["0x00"], "values": [], "formatted": {"key": 0, "values": [
            {"cpu": 0, "value": {"l2_forward": 3, "l3_forward": 10}},
            {"cpu": 1, "value": {"l2_forward": 4, "l3_forward": 0}}]}}]
        self.assertEqual(tor_maps.stats(dump), [("l2_forward", 7), ("l3_forward", 10)])

    def test_dump_without_btf_names_is_an_error(self):
        with self.assertRaises(ValueError):
            tor_maps.stats([{"key": ["0x00"], "values": [{"cpu": 0, "value": ["0x01"]}]}])


if __name__ == "__main__":
    unittest.main()
