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

# struct bpf_prog_info offsets (uapi/linux/bpf.h; checked against the running kernel's BTF)
OFF_JITED_LEN = 16
OFF_JITED_INSNS = 24
OFF_NAME = 64
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
    with open(os.path.join(out_dir, "lines.json"), "w") as f:
        json.dump({"start": start, "length": jited_len,
                   "lines": [[a - start, source_of(xlated, off)] for off, a in zip(insn_offs, addrs)]}, f)


def source_of(xlated, insn_off, _cache={}):
    """The '; text [file:line]' bpftool prints before xlated instruction insn_off."""
    table = _cache.get(id(xlated))
    if table is None:
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
        _cache[id(xlated)] = table
    return table.get(insn_off, "?")


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


def report(snap_dir, perf_data, top=25):
    with open(os.path.join(snap_dir, "lines.json")) as f:
        meta = json.load(f)
    start, length = meta["start"], meta["length"]
    lines = sorted(meta["lines"])
    insns = disassemble(os.path.join(snap_dir, "image.bin"))
    insn_offs = sorted(insns)
    by_symbol, by_line, by_insn = Counter(), Counter(), Counter()
    total = 0
    for ip, sym in samples(perf_data):
        total += 1
        if start <= ip < start + length:
            off = ip - start
            by_symbol["balancer (JIT image)"] += 1
            by_line[line_at(lines, off)] += 1
            by_insn[insn_at(insn_offs, off)] += 1
        else:
            by_symbol[re.sub(r"bpf_prog_[0-9a-f]+_", "bpf_prog_", sym)] += 1
    inside = sum(by_line.values())
    print(f"{total} samples, {inside} in the balancer's JIT image ({length} bytes)\n")
    print("Where the CPU was (all samples):")
    for sym, n in by_symbol.most_common(15):
        print(f"  {100.0 * n / total:5.1f}%  {sym}")
    if not inside:
        return
    print("\nThe balancer's samples by source line:")
    for src, n in by_line.most_common(top):
        print(f"  {100.0 * n / inside:5.1f}%  {src}")
    print("\nThe balancer's samples by instruction (offset in the image):")
    for off, n in by_insn.most_common(top):
        print(f"  {100.0 * n / inside:5.1f}%  {off:#6x}  {insns.get(off, '?'):40}  {line_at(lines, off)}")


def line_at(lines, off):
    src = "?"
    for line_off, text in lines:
        if line_off > off:
            break
        src = text
    return src


def insn_at(insn_offs, off):
    best = insn_offs[0] if insn_offs else off
    for o in insn_offs:
        if o > off:
            break
        best = o
    return best


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        snapshot(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
