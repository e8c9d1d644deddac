package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import java.util.List;
import java.util.function.Function;

/** Opens one map of the balancer and checks its key and value sizes against this build's ABI. */
final class SizedMaps {
    private SizedMaps() {
    }

    /** Adds the map to {@code opened} before checking, so the caller closes it on failure too. */
    static BpfMap open(Function<String, BpfMap> opener, String name, int keySize, int valueSize,
                       List<BpfMap> opened) {
        BpfMap map = opener.apply(name);
        opened.add(map);
        if (map.keySize() != keySize || map.valueSize() != valueSize) {
            throw new IllegalStateException("map '" + name + "' has key/value " + map.keySize() + "/"
                    + map.valueSize() + " bytes, this build expects " + keySize + "/" + valueSize
                    + " (ABI version " + DataplaneAbi.ABI_VERSION + "): pinned maps from another build?");
        }
        return map;
    }
}
