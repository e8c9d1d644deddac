package io.sluice.lb.steering;

import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.util.Objects;

/** One backend of one VIP: the unit health is tracked for (the same server may serve two VIPs). */
public record BackendRef(VipKey vip, InetAddress address) {
    public BackendRef {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(address, "address");
    }
}
