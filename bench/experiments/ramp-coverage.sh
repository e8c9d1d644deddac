#!/usr/bin/env bash
# Experiment: how well the slow-start hint (docs/drain.md, "Slow start across LB hosts") covers two
# LB hosts at different points of one ramp. For each pair of ramp points (the returning backend's
# weight on the host behind and on the host ahead, of 100), it builds both hosts' tables with the
# daemon's own Reconciler.buildSlots and counts the slots where they disagree about the returning
# backend, and the slots whose flows, placed by one host, the other cannot reach (its owner differs
# and its previous owner does not name the first host's owner), both ways.
# Needs the built classes (mvn -pl lb -am package) and jshell (JDK 17+); a few seconds.
#   bash bench/experiments/ramp-coverage.sh [BACKENDS [TABLE_SIZE]]
# Defaults: 3 (the lab's 10.0.2.11-13, the second one returning), 65537.
set -euo pipefail

backends=${1:-3}
size=${2:-65537}
[[ $backends =~ ^[0-9]+$ && $size =~ ^[0-9]+$ ]] && ((backends >= 2)) ||
	{ echo "usage: $0 [BACKENDS >= 2 [TABLE_SIZE]]" >&2; exit 2; }
cd "$(dirname "$0")/../.."
classes=lb/target/classes
[[ -d $classes ]] || { echo "ramp-coverage: no $classes: mvn -pl lb -am package" >&2; exit 1; }
script=$(mktemp --suffix .jsh)
trap 'rm -f "$script"' EXIT
cat >"$script" <<JSH
import io.sluice.lb.dataplane.*;
import io.sluice.lb.reconcile.*;
import java.net.InetAddress;
import java.util.*;
java.lang.reflect.Method build = Class.forName("io.sluice.lb.reconcile.Reconciler").getDeclaredMethod("buildSlots", DesiredVip.class, java.util.function.Function.class);
build.setAccessible(true);
Map<InetAddress, Integer> ids = new HashMap<>();
int[] slots(int weight) throws Exception {
    List<DesiredBackend> backends = new ArrayList<>();
    for (int b = 1; b <= $backends; b++) {
        InetAddress address = InetAddress.getByName("10.0.2." + (10 + b));
        ids.putIfAbsent(address, ids.size());
        backends.add(b == 2 ? DesiredBackend.ramping(address, weight, 100) : new DesiredBackend(address, 100));
    }
    DesiredVip vip = new DesiredVip("web", new VipKey(InetAddress.getByName("10.100.0.1"), 80, Protocol.TCP),
            $size, backends);
    java.util.function.Function<InetAddress, Integer> idOf = ids::get;
    return ((Optional<int[]>) build.invoke(null, vip, idOf)).orElseThrow();
}
boolean reaches(int[] table, int slot, int owner) {
    return PackedSlot.owner(table[slot]) == owner || PackedSlot.previousOwner(table[slot]) == owner;
}
System.out.printf("%d backends, %d slots; the returning backend's weight behind -> ahead, of 100%n", $backends, $size);
for (int[] points : new int[][] {{1, 10}, {5, 30}, {15, 49}, {20, 50}, {40, 90}, {60, 70}, {90, 99}}) {
    int[] behind = slots(points[0]);
    int[] ahead = slots(points[1]);
    int returning = ids.get(InetAddress.getByName("10.0.2.12"));
    int disagree = 0, aheadToBehind = 0, behindToAhead = 0;
    for (int i = 0; i < $size; i++) {
        int ownerBehind = PackedSlot.owner(behind[i]), ownerAhead = PackedSlot.owner(ahead[i]);
        if ((ownerBehind == returning) != (ownerAhead == returning)) disagree++;
        if (!reaches(behind, i, ownerAhead)) aheadToBehind++;
        if (!reaches(ahead, i, ownerBehind)) behindToAhead++;
    }
    System.out.printf("  %3d -> %3d: disagree about it in %5d slots; unreachable: ahead's flows from behind %3d, behind's from ahead %3d%n",
            points[0], points[1], disagree, aheadToBehind, behindToAhead);
}
/exit
JSH
jshell --class-path "$classes" -q "$script" 2>&1 | sed -n '/ backends, /,$p' # past jshell's unchecked-cast warning
