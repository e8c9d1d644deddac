package io.sluice.lb.dataplane;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A source prefix as an LPM trie key: struct sluice_dos_lpm4 (IPv4) or sluice_dos_lpm6 (IPv6),
 * the prefix length (host order) then the address (network order). Host bits must be zero.
 */
public record LpmPrefix(InetAddress network, int length) {

    public LpmPrefix {
        int bits = network.getAddress().length * Byte.SIZE;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " outside 0.." + bits);
        }
        byte[] raw = network.getAddress();
        for (int bit = length; bit < bits; bit++) {
            if ((raw[bit / Byte.SIZE] & (0x80 >>> (bit % Byte.SIZE))) != 0) {
                throw new IllegalArgumentException(network.getHostAddress() + "/" + length + " has host bits set");
            }
        }
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    /** The key bytes: DosLpm4Key.SIZE or DosLpm6Key.SIZE. */
    public byte[] encode() {
        byte[] raw = network.getAddress();
        byte[] key = new byte[Integer.BYTES + raw.length];
        Codec.hostOrder(Integer.BYTES).putInt(0, length).get(0, key, 0, Integer.BYTES);
        System.arraycopy(raw, 0, key, Integer.BYTES, raw.length);
        return key;
    }

    public static LpmPrefix decode(byte[] key) {
        if (key.length != DosLpm4Key.SIZE && key.length != DosLpm6Key.SIZE) {
            throw new IllegalArgumentException("an LPM key is 8 or 20 bytes, got " + key.length);
        }
        int length = Codec.wrap(key, key.length, "LPM key").getInt(0);
        try {
            byte[] raw = Arrays.copyOfRange(key, Integer.BYTES, key.length);
            return new LpmPrefix(raw.length == 4 ? InetAddress.getByAddress(raw)
                    : java.net.Inet6Address.getByAddress(null, raw, -1), length);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + length;
    }
}
