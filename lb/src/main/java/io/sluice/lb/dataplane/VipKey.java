package io.sluice.lb.dataplane;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/** struct sluice_vip_key: the key of the {@code vips} map. The family follows from the address. */
public record VipKey(InetAddress address, int port, Protocol protocol) {

    public static final int SIZE = 20;
    public static final int OFFSET_ADDR = 0;
    public static final int OFFSET_PORT = 16;
    public static final int OFFSET_PROTO = 18;
    public static final int OFFSET_FAMILY = 19;

    public VipKey {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        AddressCodec.familyOf(address);
        Codec.requirePort(port);
    }

    public int family() {
        return AddressCodec.familyOf(address);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        AddressCodec.put(b, OFFSET_ADDR, address);
        Codec.putPort(b, OFFSET_PORT, port);
        b.put(OFFSET_PROTO, (byte) protocol.number());
        b.put(OFFSET_FAMILY, (byte) family());
        return b.array();
    }

    public static VipKey decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_vip_key");
        int family = Codec.unsignedByte(b, OFFSET_FAMILY);
        return new VipKey(AddressCodec.get(b, OFFSET_ADDR, family), Codec.getPort(b, OFFSET_PORT),
                Protocol.fromNumber(Codec.unsignedByte(b, OFFSET_PROTO)));
    }
}
