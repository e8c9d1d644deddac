package io.sluice.lb.dataplane;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * struct sluice_flow4_key / sluice_flow6_key: a remembered flow's key in its family's table. The
 * VIP's id stands for the destination address, port and protocol, so the key is the client's
 * address and port and that id; the program compares it as one u64 (IPv4) or three (IPv6).
 */
public record FlowWayKey(InetAddress src, int srcPort, int vipId) {

    public FlowWayKey {
        Objects.requireNonNull(src, "src");
        AddressCodec.familyOf(src);
        Codec.requirePort(srcPort);
        Codec.requireVipId(vipId);
    }

    /** The key the program uses for {@code flow} to VIP {@code vipId}. */
    public static FlowWayKey of(FlowKey flow, int vipId) {
        return new FlowWayKey(flow.src(), flow.srcPort(), vipId);
    }

    public FlowFamily family() {
        return FlowFamily.of(src);
    }

    /** Whether this is {@code flow}'s key (the VIP id is not in the flow: it is the VIP's). */
    public boolean matches(FlowKey flow) {
        return flow.src().equals(src) && flow.srcPort() == srcPort;
    }

    void put(ByteBuffer b, int base) {
        FlowFamily family = family();
        b.put(base, src.getAddress());
        Codec.putPort(b, base + family.sportOffset(), srcPort);
        b.putShort(base + family.vipTagOffset(), (short) (vipId | DataplaneAbi.FLOW_TAG_IN_USE));
    }

    /** The key at {@code base} of a {@code family} bucket, or null for an empty way (its tag is 0). */
    static FlowWayKey decodeOrNull(FlowFamily family, ByteBuffer b, int base) {
        int tag = Codec.unsignedShort(b, base + family.vipTagOffset());
        if ((tag & DataplaneAbi.FLOW_TAG_IN_USE) == 0) {
            return null;
        }
        return new FlowWayKey(AddressCodec.get(b, base, family.addressFamily()),
                Codec.getPort(b, base + family.sportOffset()), tag & DataplaneAbi.FLOW_TAG_VIP_MASK);
    }
}
