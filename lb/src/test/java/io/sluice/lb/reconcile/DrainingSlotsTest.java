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
    private final Map<InetAddress, Integer> ids = new HashMap<>();

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private int[] slots(DesiredBackend... backends) {
        for (DesiredBackend b : backends) {
            ids.putIfAbsent(b.address(), ids.size());
        }
        DesiredVip vip = new DesiredVip("web", new VipKey(ip("10.100.0.1"), 80, Protocol.TCP), TABLE_SIZE,
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
