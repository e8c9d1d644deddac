package io.sluice.lb.dataplane;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * struct sluice_flow_key: the 5-tuple key of the {@code flows} map, also the 40 bytes the
 * flow hash runs over (the pad is always zero).
 */
public record FlowKey(InetAddress src, InetAddress dst, int srcPort, int dstPort, Protocol protocol) {

    public static final int SIZE = 40;
    public static final int OFFSET_SRC = 0;
    public static final int OFFSET_DST = 16;
    public static final int OFFSET_SPORT = 32;
    public static final int OFFSET_DPORT = 34;
    public static final int OFFSET_PROTO = 36;
    public static final int OFFSET_FAMILY = 37;
    public static final int OFFSET_PAD = 38;

    public FlowKey {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(protocol, "protocol");
        if (!AddressCodec.sameFamily(src, dst)) {
            throw new IllegalArgumentException("flow mixes address families: " + src + " -> " + dst);
        }
        Codec.requirePort(srcPort);
        Codec.requirePort(dstPort);
    }

    public int family() {
        return AddressCodec.familyOf(src);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        AddressCodec.put(b, OFFSET_SRC, src);
        AddressCodec.put(b, OFFSET_DST, dst);
        Codec.putPort(b, OFFSET_SPORT, srcPort);
        Codec.putPort(b, OFFSET_DPORT, dstPort);
        b.put(OFFSET_PROTO, (byte) protocol.number());
        b.put(OFFSET_FAMILY, (byte) family());
        return b.array();
    }

    public static FlowKey decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_flow_key");
        int family = Codec.unsignedByte(b, OFFSET_FAMILY);
        return new FlowKey(AddressCodec.get(b, OFFSET_SRC, family), AddressCodec.get(b, OFFSET_DST, family),
                Codec.getPort(b, OFFSET_SPORT), Codec.getPort(b, OFFSET_DPORT),
                Protocol.fromNumber(Codec.unsignedByte(b, OFFSET_PROTO)));
    }
}
