#!/usr/bin/env bash
# Experiment: how the kernel backs a BPF array of the flow table's size, as /proc/vmallocinfo shows
# it (docs/BENCHMARKS.md cites it for the mapped flow cache: BPF_F_MMAPABLE or not). Creates one
# array per FLAGS value with bpftool, pinned under a directory of its own in /sys/fs/bpf, finds each
# one's vmalloc area (the array_map_alloc line that appeared since just before it was created, of
# the array's size) and prints its size, pages and kind; the pins go when the script exits.
# Run as root from the repository (a few seconds; the arrays take VALUE x ENTRIES bytes each):
#   bash bench/experiments/map-vmalloc.sh [VALUE_BYTES [ENTRIES [FLAGS...]]]
# Defaults: 200 131072 0 1024, the flow table's entry and size, without and with BPF_F_MMAPABLE.
set -euo pipefail

value=${1:-200}
entries=${2:-131072}
flags=("${@:3}")
((${#flags[@]})) || flags=(0 1024)
for n in "$value" "$entries" "${flags[@]}"; do
	[[ $n =~ ^[0-9]+$ ]] || { echo "usage: $0 [VALUE_BYTES [ENTRIES [FLAGS...]]] (numbers)" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "map-vmalloc: needs root (bpftool map create, /proc/vmallocinfo)" >&2; exit 1; }

pins=$(mktemp -d /sys/fs/bpf/map-vmalloc-XXXXXX) # bpffs refuses names with a dot
before=$(mktemp) after=$(mktemp)
# The pins hold the maps (bpftool exits once it has pinned): removing them frees the arrays.
cleanup() { rm -rf "$pins"; rm -f "$before" "$after"; }
trap cleanup EXIT

# An array's values are 8-byte aligned; its area holds them plus a header (a page of its own when
# mmapable), rounded up to pages, plus vmalloc's guard page. Smaller than that is not this array.
data_pages=$(((((value + 7) / 8 * 8) * entries + 4095) / 4096))
echo "array: key 4, value $value B, $entries entries ($data_pages pages of values)"
i=0
for f in "${flags[@]}"; do
	i=$((i + 1))
	pin="$pins/m$i"
	sort /proc/vmallocinfo >"$before"
	args=()
	((f == 0)) || args=(flags "$f")
	bpftool map create "$pin" type array key 4 value "$value" entries "$entries" name "map_vmalloc_$i" "${args[@]}"
	sort /proc/vmallocinfo >"$after"
	id=$(bpftool map show pinned "$pin" | sed -n 's/^\([0-9]*\):.*/\1/p')
	# New since the snapshot, allocated for an array, and within two pages of the values' size
	# (other areas come and go meanwhile: bpftool's own small maps, thread stacks).
	area=$(comm -13 "$before" "$after" | awk -v min="$data_pages" '
		$3 ~ /^array_map_alloc/ { for (i = 4; i <= NF; i++) if ($i ~ /^pages=/) { p = substr($i, 7) + 0
			if (p >= min && p <= min + 2) print } }')
	if [[ -z $area ]]; then
		echo "flags $f (map id $id): no new vmalloc area of its size (kmalloc'd: small arrays are)"
		continue
	fi
	if (($(wc -l <<<"$area") > 1)); then
		echo "flags $f (map id $id): more than one candidate area:"
		echo "$area"
		continue
	fi
	read -r _ size caller rest <<<"$area"
	pages=$(sed -n 's/.*pages=\([0-9]*\).*/\1/p' <<<"$rest")
	# vmallocinfo does not name a huge (2 MB) mapping; one is made in whole 2 MB pages only.
	if ((pages % 512)); then
		mapping="4 KB pages (not a whole number of 2 MB pages: cannot be huge-mapped)"
	else
		mapping="a whole number of 2 MB pages: may be huge-mapped (vmallocinfo does not say)"
	fi
	kind=$(tr ' ' '\n' <<<"$rest" | grep -xE 'vmalloc|user|vpages|vmap|huge' | paste -sd ' ')
	echo "flags $f (map id $id): $size B ($(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1e6 }') MB)," \
		"pages=$pages, $kind, $mapping; by $caller"
done
