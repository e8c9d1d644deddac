#!/usr/bin/env python3
"""Where the balancer's time goes, by source line and by JIT instruction.

Used by bench/profile.sh: while bench/dataplane.sh times one path, `perf record` samples the
CPUs and this script, with the program still loaded, reads its JIT image and line table from
the kernel (BPF_OBJ_GET_INFO_BY_FD: the image, the kernel address of each line-info record)
and the source text of each line (bpftool's xlated dump). Afterwards it attributes every
sample that fell inside the image to the source line and the instruction it hit.

  jit_profile.py snapshot PROG_ID DIR     save image + line table of a loaded program
  jit_profile.py report DIR PERF_DATA     print the profile (needs DIR from snapshot)
"""
import bisect
import ctypes
import json
import os
import re
import struct
import subprocess
import sys
from collections import Counter

BPF_PROG_GET_FD_BY_ID = 13
BPF_OBJ_GET_INFO_BY_FD = 15
SYS_BPF = 321                      # x86-64
INFO_SIZE = 256                    # struct bpf_prog_info is 232 bytes on 6.x; the tail stays zero

# struct bpf_prog_info offsets (uapi/linux/bpf.h; test_jit_profile reads a real program through them)
OFF_JITED_LEN = 16
OFF_JITED_INSNS = 24
OFF_NR_JITED_KSYMS = 104
OFF_JITED_KSYMS = 112
OFF_NR_LINE_INFO = 148
OFF_LINE_INFO = 152
OFF_JITED_LINE_INFO = 160
OFF_NR_JITED_LINE_INFO = 168
OFF_LINE_INFO_REC_SIZE = 172
OFF_JITED_LINE_INFO_REC_SIZE = 176

libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bpf({cmd}): {os.strerror(err)}")
    return ret


def get_info(fd, info):
    bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("<IIQ", fd, INFO_SIZE, ctypes.addressof(info)) + bytes(8))
    return info.raw


def u32(raw, off):
    return struct.unpack_from("<I", raw, off)[0]


def snapshot(prog_id, out_dir):
    fd = bpf(BPF_PROG_GET_FD_BY_ID, struct.pack("<I", prog_id) + bytes(12))
    try:
        first = get_info(fd, ctypes.create_string_buffer(INFO_SIZE))
        jited_len = u32(first, OFF_JITED_LEN)
        nr_ksyms = u32(first, OFF_NR_JITED_KSYMS)
        nr_lines = u32(first, OFF_NR_LINE_INFO)
        nr_jlines = u32(first, OFF_NR_JITED_LINE_INFO)
        line_rec = u32(first, OFF_LINE_INFO_REC_SIZE)
        jline_rec = u32(first, OFF_JITED_LINE_INFO_REC_SIZE)
        if jited_len == 0 or nr_jlines == 0:
            sys.exit(f"program {prog_id}: no JIT image or no line info (loaded without BTF?)")
        image = ctypes.create_string_buffer(jited_len)
        ksyms = ctypes.create_string_buffer(8 * nr_ksyms)
        lines = ctypes.create_string_buffer(line_rec * nr_lines)
        jlines = ctypes.create_string_buffer(jline_rec * nr_jlines)
        # Record sizes must be passed back for the kernel to fill the line arrays.
        info = ctypes.create_string_buffer(INFO_SIZE)
        for count_off, count, ptr_off, buf in (
                (OFF_JITED_LEN, jited_len, OFF_JITED_INSNS, image),
                (OFF_NR_JITED_KSYMS, nr_ksyms, OFF_JITED_KSYMS, ksyms),
                (OFF_NR_LINE_INFO, nr_lines, OFF_LINE_INFO, lines),
                (OFF_NR_JITED_LINE_INFO, nr_jlines, OFF_JITED_LINE_INFO, jlines)):
            struct.pack_into("<I", info, count_off, count)
            struct.pack_into("<Q", info, ptr_off, ctypes.addressof(buf))
        struct.pack_into("<I", info, OFF_LINE_INFO_REC_SIZE, line_rec)
        struct.pack_into("<I", info, OFF_JITED_LINE_INFO_REC_SIZE, jline_rec)
        get_info(fd, info)
    finally:
        os.close(fd)
    start = struct.unpack_from("<Q", ksyms.raw, 0)[0]
    insn_offs = [u32(lines.raw, i * line_rec) for i in range(nr_lines)]
    addrs = [struct.unpack_from("<Q", jlines.raw, i * jline_rec)[0] for i in range(nr_jlines)]
    xlated = subprocess.run(["bpftool", "prog", "dump", "xlated", "id", str(prog_id), "linum"],
                            check=True, capture_output=True, text=True).stdout
    with open(os.path.join(out_dir, "image.bin"), "wb") as f:
        f.write(image.raw)
    sources = xlated_sources(xlated)
    with open(os.path.join(out_dir, "lines.json"), "w") as f:
        json.dump({"start": start, "length": jited_len,
                   "lines": [[a - start, sources.get(off, "?")] for off, a in zip(insn_offs, addrs)]}, f)


def xlated_sources(xlated):
    """xlated instruction index -> the '; text [file:line]' bpftool prints before it."""
    table, pending = {}, None
    for line in xlated.splitlines():
        text = line.strip()
        if text.startswith(";"):
            pending = text[1:].strip()
            continue
        m = re.match(r"(\d+):", text)
        if m and pending is not None:
            table[int(m.group(1))] = pending
            pending = None
    return table


def disassemble(path):
    out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", path],
                         check=True, capture_output=True, text=True).stdout
    insns = {}
    for line in out.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t?(.*)", line)
        if m:
            insns[int(m.group(1), 16)] = m.group(2).strip()
    return insns


def samples(perf_data):
    out = subprocess.run(["perf", "script", "-i", perf_data, "-F", "ip,sym"],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split(None, 1)
        if parts:
            yield int(parts[0], 16), (parts[1].strip() if len(parts) > 1 else "?")


IMAGE = "balancer (JIT image)"


class Attribution:
    """Samples counted by where they fell: outside the image by symbol, inside by line and instruction."""

    def __init__(self, start, length, lines, insn_offsets):
        self.start, self.length = start, length
        self.line_offsets = [off for off, _ in sorted(lines)]
        self.line_texts = [text for _, text in sorted(lines)]
        self.insn_offsets = sorted(insn_offsets)
        self.by_symbol, self.by_line, self.by_insn = Counter(), Counter(), Counter()
        self.total = 0

    def add(self, ip, symbol):
        self.total += 1
        if self.start <= ip < self.start + self.length:
            off = ip - self.start
            self.by_symbol[IMAGE] += 1
            self.by_line[self.line_at(off)] += 1
            self.by_insn[floor(self.insn_offsets, off)] += 1
        else:
            self.by_symbol[re.sub(r"bpf_prog_[0-9a-f]+_", "bpf_prog_", symbol)] += 1

    def line_at(self, off):
        """The source line whose JIT code holds off (line-info records mark where each line's code starts)."""
        i = bisect.bisect_right(self.line_offsets, off) - 1
        return self.line_texts[i] if i >= 0 else "?"

    @property
    def inside(self):
        return self.by_symbol[IMAGE]

    def by_file(self):
        """The image's samples by source file (a header is a stage: hash.h, parse.h, ...)."""
        files = Counter()
        for text, n in self.by_line.items():
            m = re.search(r"\[file:(?:\S*/)?([^/\s]+) line_num", text)
            files[m.group(1) if m else "?"] += n
        return files


def floor(offsets, off):
    """The largest offset <= off (the instruction a sample inside it hit), or off itself."""
    i = bisect.bisect_right(offsets, off) - 1
    return offsets[i] if i >= 0 else off


def report(snap_dir, perf_data, top=25):
    with open(os.path.join(snap_dir, "lines.json")) as f:
        meta = json.load(f)
    insns = disassemble(os.path.join(snap_dir, "image.bin"))
    found = Attribution(meta["start"], meta["length"], meta["lines"], insns)
    for ip, sym in samples(perf_data):
        found.add(ip, sym)
    print(f"{found.total} samples, {found.inside} in the balancer's JIT image ({found.length} bytes)\n")
    print("Where the CPU was (all samples):")
    for sym, n in found.by_symbol.most_common(15):
        print(f"  {100.0 * n / found.total:5.1f}%  {sym}")
    if not found.inside:
        return
    print("\nThe balancer's samples by source file:")
    for name, n in found.by_file().most_common():
        print(f"  {100.0 * n / found.inside:5.1f}%  {name}")
    print("\nThe balancer's samples by source line:")
    for src, n in found.by_line.most_common(top):
        print(f"  {100.0 * n / found.inside:5.1f}%  {src}")
    print("\nThe balancer's samples by instruction (offset in the image):")
    for off, n in found.by_insn.most_common(top):
        print(f"  {100.0 * n / found.inside:5.1f}%  {off:#6x}  {insns.get(off, '?'):40}  {found.line_at(off)}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        snapshot(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
