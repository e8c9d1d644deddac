package io.sluice.lb.dataplane;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * struct sluice_flow4_key: an IPv4 flow's key in the {@code flows4} map (ABI 9). The VIP's id
 * stands for the destination address, port and protocol, so the key is the client's address and
 * port and that id; the program compares the 8 bytes as one word.
 */
public record Flow4Key(Inet4Address src, int srcPort, int vipId) {

    public static final int SIZE = 8;
    public static final int OFFSET_SRC = 0;
    public static final int OFFSET_SPORT = 4;
    public static final int OFFSET_VIP_TAG = 6;

    public Flow4Key {
        Objects.requireNonNull(src, "src");
        Codec.requirePort(srcPort);
        Codec.requireVipId(vipId);
    }

    /** The key the program uses for {@code flow}, an IPv4 flow to VIP {@code vipId}. */
    public static Flow4Key of(FlowKey flow, int vipId) {
        if (!(flow.src() instanceof Inet4Address src)) {
            throw new IllegalArgumentException("not an IPv4 flow: " + flow);
        }
        return new Flow4Key(src, flow.srcPort(), vipId);
    }

    /** Whether this is {@code flow}'s key (the VIP id is not in the flow: it is the VIP's). */
    public boolean matches(FlowKey flow) {
        return flow.src().equals(src) && flow.srcPort() == srcPort;
    }

    void put(ByteBuffer b, int base) {
        b.put(base + OFFSET_SRC, src.getAddress());
        Codec.putPort(b, base + OFFSET_SPORT, srcPort);
        b.putShort(base + OFFSET_VIP_TAG, (short) (vipId | DataplaneAbi.FLOW4_TAG_IN_USE));
    }

    /** The key at {@code base}, or null for an empty way (its tag is 0). */
    static Flow4Key decodeOrNull(ByteBuffer b, int base) {
        int tag = Codec.unsignedShort(b, base + OFFSET_VIP_TAG);
        if ((tag & DataplaneAbi.FLOW4_TAG_IN_USE) == 0) {
            return null;
        }
        return new Flow4Key((Inet4Address) AddressCodec.get(b, base + OFFSET_SRC, DataplaneAbi.AF_INET),
                Codec.getPort(b, base + OFFSET_SPORT), tag & DataplaneAbi.FLOW4_TAG_VIP_MASK);
    }
}
