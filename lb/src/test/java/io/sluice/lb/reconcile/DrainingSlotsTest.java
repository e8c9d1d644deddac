package io.sluice.lb.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.dataplane.PackedSlot;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The second-chance pairs the reconciler packs into a VIP's table while backends drain. */
class DrainingSlotsTest {
    private static final int TABLE_SIZE = 1021;
    private static final int FULL_TABLE_SIZE = 65_537; // the default: fewer slots move by chance than in a small one
    private final Map<InetAddress, Integer> ids = new HashMap<>();

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private int[] slots(DesiredBackend... backends) {
        return slots(TABLE_SIZE, backends);
    }

    private int[] slots(int tableSize, DesiredBackend... backends) {
        for (DesiredBackend b : backends) {
            ids.putIfAbsent(b.address(), ids.size());
        }
        DesiredVip vip = new DesiredVip("web", new VipKey(ip("10.100.0.1"), 80, Protocol.TCP), tableSize,
                List.of(backends));
        return Reconciler.buildSlots(vip, ids::get).orElseThrow();
    }

    private static DesiredBackend active(String address) {
        return new DesiredBackend(ip(address), 100);
    }

    private static DesiredBackend draining(String address) {
        return new DesiredBackend(ip(address), 100, true);
    }

    @Test
    void aDrainingBackendOwnsNoSlotAndIsThePreviousOwnerOfExactlyTheSlotsItOwnedBefore() {
        int[] before = slots(active("10.2.0.1"), active("10.2.0.2"), active("10.2.0.3"));
        int[] during = slots(active("10.2.0.1"), draining("10.2.0.2"), active("10.2.0.3"));
        int[] after = slots(active("10.2.0.1"), active("10.2.0.3"));
        int be2 = ids.get(ip("10.2.0.2"));

        int paired = 0;
        for (int i = 0; i < TABLE_SIZE; i++) {
            assertThat(PackedSlot.owner(during[i])).isEqualTo(after[i]);
            if (before[i] == be2) {
                assertThat(PackedSlot.previousOwner(during[i])).isEqualTo(be2);
                paired++;
            } else {
                // Not be2's bucket: no second layer (Maglev may still move a few such buckets between
                // the active backends; the hint only ever names a draining backend).
                assertThat(PackedSlot.previousOwner(during[i])).isEqualTo(-1);
            }
        }
        assertThat(paired).isGreaterThan(TABLE_SIZE / 4);
    }

    @Test
    void twoBackendsDrainAtOnceEachNamedInItsOwnBuckets() {
        int[] before = slots(active("10.2.0.1"), active("10.2.0.2"), active("10.2.0.3"), active("10.2.0.4"));
        int[] during = slots(active("10.2.0.1"), draining("10.2.0.2"), draining("10.2.0.3"), active("10.2.0.4"));
        int be2 = ids.get(ip("10.2.0.2"));
        int be3 = ids.get(ip("10.2.0.3"));

        int named2 = 0;
        int named3 = 0;
        for (int i = 0; i < TABLE_SIZE; i++) {
            int owner = PackedSlot.owner(during[i]);
            assertThat(owner).isNotIn(be2, be3);
            int previous = PackedSlot.previousOwner(during[i]);
            if (before[i] == be2 || before[i] == be3) {
                assertThat(previous).isEqualTo(before[i]);
                named2 += previous == be2 ? 1 : 0;
                named3 += previous == be3 ? 1 : 0;
            } else {
                assertThat(previous).isEqualTo(-1);
            }
        }
        assertThat(named2).isPositive();
        assertThat(named3).isPositive();
    }

    @Test
    void slotsAFillingBackendTakesNameTheirOwnerWithoutIt() {
        int[] before = slots(active("10.2.0.1"), active("10.2.0.2"));
        int[] during = slots(active("10.2.0.1"), active("10.2.0.2"),
                new DesiredBackend(ip("10.2.0.3"), 100, false, true));
        int be3 = ids.get(ip("10.2.0.3"));

        int taken = 0;
        for (int i = 0; i < TABLE_SIZE; i++) {
            if (PackedSlot.owner(during[i]) == be3) {
                assertThat(PackedSlot.previousOwner(during[i])).isEqualTo(before[i]);
                taken++;
            } else {
                assertThat(PackedSlot.previousOwner(during[i])).isEqualTo(-1);
            }
        }
        assertThat(taken).isGreaterThan(TABLE_SIZE / 4);
    }

    @Test
    void slotsARampingBackendTakesOnlyLaterNameItAsPreviousOwner() {
        int[] atFullWeight = slots(active("10.2.0.1"), active("10.2.0.2"), active("10.2.0.3"));
        int[] withoutIt = slots(active("10.2.0.1"), active("10.2.0.2"));
        int[] plainRamp = slots(active("10.2.0.1"), active("10.2.0.2"), new DesiredBackend(ip("10.2.0.3"), 20));
        int[] during = slots(active("10.2.0.1"), active("10.2.0.2"), DesiredBackend.ramping(ip("10.2.0.3"), 20, 100));
        int be3 = ids.get(ip("10.2.0.3"));

        int ahead = 0;
        for (int i = 0; i < TABLE_SIZE; i++) {
            int owner = PackedSlot.owner(during[i]);
            assertThat(owner).as("the hints change no owner").isEqualTo(plainRamp[i]);
            if (owner == be3) {
                assertThat(PackedSlot.previousOwner(during[i])).isEqualTo(withoutIt[i]);
            } else if (atFullWeight[i] == be3) {
                assertThat(PackedSlot.previousOwner(during[i])).as("slot %d: be3's later in the ramp", i).isEqualTo(be3);
                ahead++;
            } else {
                assertThat(PackedSlot.previousOwner(during[i])).isEqualTo(-1);
            }
        }
        // At 20 of 100 be3 has about an eleventh of the slots; at its full weight, a third.
        assertThat(ahead).isGreaterThan(TABLE_SIZE / 6);
    }

    /**
     * Two LB hosts whose fills of one backend began seconds apart are at different points of its
     * ramp. A flow either one placed must reach its backend from the other: in a slot where the two
     * disagree about the ramping backend, each names the other's owner as owner or previous owner.
     * Maglev is not monotone in a weight: as it grows, a few slots also move between the other
     * backends, or back, and those carry no hint (as in a drain). Without the ramp's hint no
     * disagreeing slot is covered both ways: the host behind names no previous owner in them.
     */
    @Test
    void lbHostsAtDifferentPointsOfOneRampReachEachOthersFlows() {
        int disagreeing = 0;
        int uncovered = 0;
        for (int[] weights : new int[][] {{1, 10}, {20, 50}, {60, 70}, {90, 99}}) {
            int[] behind = slots(FULL_TABLE_SIZE, active("10.2.0.1"), active("10.2.0.2"), active("10.2.0.4"),
                    DesiredBackend.ramping(ip("10.2.0.3"), weights[0], 100));
            int[] ahead = slots(FULL_TABLE_SIZE, active("10.2.0.1"), active("10.2.0.2"), active("10.2.0.4"),
                    DesiredBackend.ramping(ip("10.2.0.3"), weights[1], 100));
            int be3 = ids.get(ip("10.2.0.3"));
            for (int i = 0; i < FULL_TABLE_SIZE; i++) {
                int ownerBehind = PackedSlot.owner(behind[i]);
                int ownerAhead = PackedSlot.owner(ahead[i]);
                if ((ownerBehind == be3) == (ownerAhead == be3)) {
                    continue;
                }
                disagreeing++;
                boolean aheadReachesBehind = PackedSlot.previousOwner(ahead[i]) == ownerBehind;
                boolean behindReachesAhead = PackedSlot.previousOwner(behind[i]) == ownerAhead;
                if (!aheadReachesBehind || !behindReachesAhead) {
                    uncovered++;
                }
            }
        }
        assertThat(disagreeing).isGreaterThan(FULL_TABLE_SIZE / 10);
        assertThat(uncovered).as("%d of %d disagreeing slots without a hint", uncovered, disagreeing)
                .isLessThan(disagreeing / 100);
    }

    @Test
    void noDrainMeansPlainIds() {
        int[] plain = slots(active("10.2.0.1"), active("10.2.0.2"));
        for (int slot : plain) {
            assertThat(PackedSlot.previousOwner(slot)).isEqualTo(-1);
        }
    }

    @Test
    void everyBackendDrainingLeavesNoTable() {
        DesiredVip vip = new DesiredVip("web", new VipKey(ip("10.100.0.1"), 80, Protocol.TCP), TABLE_SIZE,
                List.of(draining("10.2.0.1")));
        assertThat(Reconciler.buildSlots(vip, a -> 0)).isEmpty();
    }
}
