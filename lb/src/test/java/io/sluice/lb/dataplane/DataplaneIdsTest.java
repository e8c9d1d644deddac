package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataplaneIdsTest {
    private final AtomicInteger reads = new AtomicInteger();
    private final Map<VipKey, VipMeta> vipMap = new HashMap<>();
    private final Map<Integer, BackendEntry> backendMap = new HashMap<>();

    private void refresh(DataplaneIds ids, long generation) {
        ids.refresh(generation, () -> {
            reads.incrementAndGet();
            return Map.copyOf(vipMap);
        }, () -> Map.copyOf(backendMap));
    }

    @Test
    void theMapsAreReadOncePerGenerationAndAgainWhenItMoves() throws Exception {
        VipKey web = new VipKey(InetAddress.getByName("10.100.0.1"), 80, Protocol.TCP);
        InetAddress be1 = InetAddress.getByName("10.0.2.11");
        InetAddress be2 = InetAddress.getByName("10.0.2.12");
        vipMap.put(web, new VipMeta(3, DataplaneAbi.VIP_FLAGS_NONE));
        backendMap.put(7, BackendEntry.inUse(be1, 3));
        backendMap.put(8, BackendEntry.inUse(be2, 4)); // another VIP's
        DataplaneIds ids = new DataplaneIds();

        refresh(ids, 1);
        refresh(ids, 1);
        assertThat(reads).hasValue(1);
        assertThat(ids.vips()).containsEntry(web, new VipMeta(3, DataplaneAbi.VIP_FLAGS_NONE));
        assertThat(ids.backends(3)).containsExactly(Map.entry(be1, 7));
        assertThat(ids.backends(4)).containsExactly(Map.entry(be2, 8));
        assertThat(ids.backends(5)).isEmpty();
        assertThat(ids.backendId(web, be1)).hasValue(7);
        assertThat(ids.backendId(web, be2)).isEmpty(); // be2's id 8 is another VIP's

        backendMap.put(9, BackendEntry.inUse(be2, 3)); // a reconcile added be2 to web
        refresh(ids, 1);
        assertThat(ids.backends(3)).doesNotContainKey(be2); // not read: same generation
        refresh(ids, 2);
        assertThat(reads).hasValue(2);
        assertThat(ids.backends(3)).containsOnly(Map.entry(be1, 7), Map.entry(be2, 9));
        assertThat(ids.backendId(web, be2)).hasValue(9);
    }
}
