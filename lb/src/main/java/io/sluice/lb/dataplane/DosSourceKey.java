package io.sluice.lb.dataplane;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * struct sluice_dos_source_key: a tracked source, an IPv4 address or an IPv6 /64 (the low 64 bits zero).
 */
public record DosSourceKey(InetAddress address) {

    public static final int SIZE = 20;
    public static final int OFFSET_ADDR = 0;
    public static final int OFFSET_FAMILY = 16;
    public static final int OFFSET_PAD = 17;

    private static final int V6_PREFIX_BYTES = DosAbi.DOS_V6_SOURCE_PREFIX / Byte.SIZE;

    /** The key the program uses for a packet from {@code source}: IPv6 cut to its /64. */
    public static DosSourceKey of(InetAddress source) {
        if (source instanceof Inet6Address) {
            byte[] raw = source.getAddress();
            java.util.Arrays.fill(raw, V6_PREFIX_BYTES, raw.length, (byte) 0);
            try {
                return new DosSourceKey(Inet6Address.getByAddress(null, raw, -1));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return new DosSourceKey(source);
    }

    /** The prefix a block of this source covers: /32 or /64. */
    public LpmPrefix prefix() {
        return new LpmPrefix(address, address instanceof Inet6Address ? DosAbi.DOS_V6_SOURCE_PREFIX : Integer.SIZE);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        AddressCodec.put(b, OFFSET_ADDR, address);
        b.put(OFFSET_FAMILY, (byte) AddressCodec.familyOf(address));
        return b.array();
    }

    public static DosSourceKey decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_dos_source_key");
        return new DosSourceKey(AddressCodec.get(b, OFFSET_ADDR, Codec.unsignedByte(b, OFFSET_FAMILY)));
    }
}
