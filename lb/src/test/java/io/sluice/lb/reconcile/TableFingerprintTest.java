package io.sluice.lb.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.lb.dataplane.FlowHash;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A table's fingerprint: a function of what the data plane forwards with, never of host-local ids. */
class TableFingerprintTest {
    private static final int TABLE_SIZE = 1021;

    /** One LB host: its own backend ids, handed out in the order it met the backends. */
    private static final class Host {
        private final Map<InetAddress, Integer> ids = new HashMap<>();

        Host(int firstId) {
            next = firstId;
        }

        private int next;

        String fingerprint(DesiredBackend... backends) {
            for (DesiredBackend b : backends) {
                ids.computeIfAbsent(b.address(), a -> next++);
            }
            Map<Integer, InetAddress> addresses = new HashMap<>();
            ids.forEach((address, id) -> addresses.put(id, address));
            DesiredVip vip = new DesiredVip("web", new VipKey(ip("10.100.0.1"), 80, Protocol.TCP), TABLE_SIZE,
                    List.of(backends));
            int[] slots = Reconciler.buildSlots(vip, ids::get).orElseThrow();
            return TableFingerprint.of(slots, addresses::get);
        }
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DesiredBackend active(String address, int weight) {
        return new DesiredBackend(ip(address), weight);
    }

    @Test
    void sameBackendsInAnotherOrderWithOtherIdsGiveTheSameFingerprint() {
        String one = new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.12", 2),
                active("fd00:2::13", 1));
        String other = new Host(700).fingerprint(active("fd00:2::13", 1), active("10.0.2.12", 2),
                active("10.0.2.11", 1));

        assertThat(one).matches("[0-9a-f]{16}").isEqualTo(other);
    }

    @Test
    void anAddressSpelledDifferentlyIsTheSameBackend() {
        assertThat(new Host(0).fingerprint(active("fd00:2::13", 1), active("10.0.2.11", 1)))
                .isEqualTo(new Host(5).fingerprint(active("fd00:2:0:0::0:13", 1), active("10.0.2.11", 1)));
    }

    @Test
    void oneWeightChangeChangesTheFingerprint() {
        String before = new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.12", 1),
                active("10.0.2.13", 1));
        String after = new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.12", 2),
                active("10.0.2.13", 1));

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void anotherBackendChangesTheFingerprint() {
        assertThat(new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.12", 1)))
                .isNotEqualTo(new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.14", 1)));
    }

    @Test
    void drainingChangesTheFingerprintAndHostsStillAgree() {
        String serving = new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.12", 1),
                active("10.0.2.13", 1));
        DesiredBackend draining = new DesiredBackend(ip("10.0.2.12"), 1, true);
        String drainingHere = new Host(0).fingerprint(active("10.0.2.11", 1), draining, active("10.0.2.13", 1));
        String drainingThere = new Host(40).fingerprint(active("10.0.2.13", 1), active("10.0.2.11", 1), draining);
        // Without the second-chance pairs the table equals one without 10.0.2.12: the previous owners count.
        String removed = new Host(0).fingerprint(active("10.0.2.11", 1), active("10.0.2.13", 1));

        assertThat(drainingHere).isNotEqualTo(serving).isNotEqualTo(removed).isEqualTo(drainingThere);
    }

    @Test
    void aSlotNamingAnUnknownIdIsRefused() {
        assertThatThrownBy(() -> TableFingerprint.of(new int[] {0, 1, 0}, id -> id == 0 ? ip("10.0.2.11") : null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backend id 1");
    }

    @Test
    void theTableSizeCounts() {
        InetAddress a = ip("10.0.2.11");
        assertThat(TableFingerprint.of(new int[] {0, 0, 0}, id -> a))
                .isNotEqualTo(TableFingerprint.of(new int[] {0, 0, 0, 0, 0}, id -> a));
    }

    @Test
    void theFlowHashCounts() {
        int[] slots = {0, 1, 0, 1, 1};
        Map<Integer, InetAddress> addresses = Map.of(0, ip("10.0.2.11"), 1, ip("10.0.2.12"));
        String thisBuild = TableFingerprint.of(slots, addresses::get);
        assertThat(TableFingerprint.of(FlowHash.IDENTITY, slots, addresses::get)).isEqualTo(thisBuild);
        // The same table on a host whose flow hash differs (ABI 6's murmur3 against ABI 7's) forwards apart.
        assertThat(TableFingerprint.of(FlowHash.IDENTITY ^ 1, slots, addresses::get)).isNotEqualTo(thisBuild);
    }
}
