package io.sluice.testing.packet;

import java.util.Arrays;
import java.util.OptionalInt;

/** An Ethernet frame as parsed: MACs, the optional 802.1Q tag and where the L3 header starts. */
public record Frame(byte[] bytes, byte[] dstMac, byte[] srcMac, OptionalInt vlanId, int etherType, int l3Offset) {
    private static final int MAC_BYTES = 6;
    private static final int VLAN_ID_MASK = 0x0fff;

    public static Frame parse(byte[] bytes) {
        Wire w = new Wire(bytes);
        int type = w.u16(2 * MAC_BYTES);
        int offset = PacketBuilder.ETHERNET_HEADER;
        OptionalInt vlan = OptionalInt.empty();
        if (type == EtherType.VLAN) {
            vlan = OptionalInt.of(w.u16(offset) & VLAN_ID_MASK);
            type = w.u16(offset + 2);
            offset += PacketBuilder.VLAN_TAG;
        }
        return new Frame(bytes.clone(), Arrays.copyOfRange(bytes, 0, MAC_BYTES),
                Arrays.copyOfRange(bytes, MAC_BYTES, 2 * MAC_BYTES), vlan, type, offset);
    }

    public Ipv4Header ipv4() {
        return Ipv4Header.parse(bytes, l3Offset);
    }

    public Ipv6Header ipv6() {
        return Ipv6Header.parse(bytes, l3Offset);
    }

    /** Everything after the L2 header. */
    public byte[] l3Bytes() {
        return Arrays.copyOfRange(bytes, l3Offset, bytes.length);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
