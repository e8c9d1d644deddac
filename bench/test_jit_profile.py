"""jit_profile's attribution and its read of a loaded program:
python3 -m unittest discover -s bench -p 'test_jit_profile.py' (the snapshot test needs root and a build)."""
import json
import os
import subprocess
import tempfile
import unittest

import jit_profile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where `mvn package` puts the objects (the daemon's jar carries them), else a plain `make -C bpf-xdp`.
XDP_PASS_OBJECT = next((p for p in (os.path.join(ROOT, "lb", "target", "classes", "bpf", "xdp_pass.o"),
                                    os.path.join(ROOT, "bpf-xdp", "out", "xdp_pass.o")) if os.path.exists(p)),
                       "xdp_pass.o (not built)")


class AttributionTest(unittest.TestCase):
    def test_samples_go_to_the_line_and_instruction_that_hold_them(self):
        start = 0xffffffffc0000000
        lines = [[0x0, "parse [file:/src/include/parse.h line_num:3 line_col:1]"],
                 [0x10, "hash [file:/src/include/hash.h line_num:9 line_col:2]"],
                 [0x30, "encap [file:/src/include/hash.h line_num:20 line_col:2]"]]
        found = jit_profile.Attribution(start, 0x40, lines, [0x0, 0x4, 0x10, 0x18, 0x30])
        for ip, sym in [(start + 0x5, "bpf_prog_1a2b_balancer"), (start + 0x18, "x"), (start + 0x1f, "x"),
                        (start + 0x3f, "x"), (start + 0x40, "bpf_prog_99ff_bench_restore"),
                        (0x1234, "memcpy")]:
            found.add(ip, sym)
        self.assertEqual(6, found.total)
        self.assertEqual(4, found.inside)
        self.assertEqual([1, 2, 1], [found.by_line[text] for _, text in lines])
        self.assertEqual({"parse.h": 1, "hash.h": 3}, dict(found.by_file()))
        self.assertEqual({0x4: 1, 0x18: 2, 0x30: 1}, dict(found.by_insn))
        # Just past the image is outside it; a program's tag is dropped so runs add up.
        self.assertEqual(1, found.by_symbol["bpf_prog_bench_restore"])
        self.assertEqual(1, found.by_symbol["memcpy"])

    def test_xlated_source_lines_by_instruction_index(self):
        xlated = ("int xdp_pass(struct xdp_md * ctx):\n"
                  "; return XDP_PASS; [file:/src/xdp_pass.c line_num:14 line_col:2]\n"
                  "   0: (b4) w0 = 2\n"
                  "   1: (95) exit\n")
        self.assertEqual({0: "return XDP_PASS; [file:/src/xdp_pass.c line_num:14 line_col:2]"},
                         jit_profile.xlated_sources(xlated))

    def test_disassembly_by_offset(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "image.bin")
            with open(path, "wb") as f:
                f.write(bytes([0x48, 0x31, 0xd2, 0xc3]))   # xor %rdx,%rdx ; ret
            insns = jit_profile.disassemble(path)
        self.assertEqual(["xor    %rdx,%rdx", "ret"], [insns[0], insns[3].split()[0]])


@unittest.skipUnless(os.geteuid() == 0 and os.path.exists(XDP_PASS_OBJECT), "needs root and a built xdp_pass.o")
class SnapshotTest(unittest.TestCase):
    def test_reads_the_image_and_line_table_of_a_loaded_program(self):
        pin = f"/sys/fs/bpf/sluice-jit-profile-test-{os.getpid()}"
        subprocess.run(["bpftool", "prog", "load", XDP_PASS_OBJECT, pin], check=True)
        try:
            shown = json.loads(subprocess.run(["bpftool", "-j", "prog", "show", "pinned", pin], check=True,
                                              capture_output=True, text=True).stdout)
            with tempfile.TemporaryDirectory() as d:
                jit_profile.snapshot(shown["id"], d)
                with open(os.path.join(d, "lines.json")) as f:
                    meta = json.load(f)
                image_size = os.path.getsize(os.path.join(d, "image.bin"))
        finally:
            os.unlink(pin)
        self.assertEqual(shown["bytes_jited"], image_size)
        self.assertEqual(image_size, meta["length"])
        self.assertTrue(meta["start"] >= 0xffff000000000000, hex(meta["start"]))
        self.assertTrue(any("return XDP_PASS" in text for _, text in meta["lines"]), meta["lines"])
        self.assertTrue(all(0 <= off < image_size for off, _ in meta["lines"]), meta["lines"])


if __name__ == "__main__":
    unittest.main()
