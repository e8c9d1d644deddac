package io.sluice.lb.dataplane;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * struct sluice_backend: the value of the {@code backends} array, indexed by backend id.
 *
 * @param ownerVip the vip id whose table uses this backend id (read back by a restarted daemon)
 */
public record BackendEntry(InetAddress address, int flags, int ownerVip) {

    public static final int SIZE = 20;
    public static final int OFFSET_ADDR = 0;
    public static final int OFFSET_FAMILY = 16;
    public static final int OFFSET_FLAGS = 17;
    public static final int OFFSET_OWNER_VIP = 18;

    public BackendEntry {
        Objects.requireNonNull(address, "address");
        AddressCodec.familyOf(address);
        Codec.requireUnsignedByte(flags, "backend flags");
        Codec.requireUnsignedShort(ownerVip, "owner vip id");
    }

    public BackendEntry(InetAddress address, int flags) {
        this(address, flags, 0);
    }

    /** A backend the data plane may forward to. */
    public static BackendEntry inUse(InetAddress address) {
        return inUse(address, 0);
    }

    /** A backend the data plane may forward to, serving the table of VIP {@code ownerVip}. */
    public static BackendEntry inUse(InetAddress address, int ownerVip) {
        return new BackendEntry(address, DataplaneAbi.BACKEND_FLAG_IN_USE, ownerVip);
    }

    public boolean inUse() {
        return (flags & DataplaneAbi.BACKEND_FLAG_IN_USE) != 0;
    }

    public int family() {
        return AddressCodec.familyOf(address);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        AddressCodec.put(b, OFFSET_ADDR, address);
        b.put(OFFSET_FAMILY, (byte) family());
        b.put(OFFSET_FLAGS, (byte) flags);
        b.putShort(OFFSET_OWNER_VIP, (short) ownerVip);
        return b.array();
    }

    /** Decodes an entry; callers skip slots that are not in use (all zero) before decoding. */
    public static BackendEntry decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_backend");
        return new BackendEntry(AddressCodec.get(b, OFFSET_ADDR, Codec.unsignedByte(b, OFFSET_FAMILY)),
                Codec.unsignedByte(b, OFFSET_FLAGS), Codec.unsignedShort(b, OFFSET_OWNER_VIP));
    }

    /** True for an encoded entry with the in-use flag, without decoding it. */
    static boolean isInUse(byte[] encoded) {
        return (encoded[OFFSET_FLAGS] & DataplaneAbi.BACKEND_FLAG_IN_USE) != 0;
    }
}
