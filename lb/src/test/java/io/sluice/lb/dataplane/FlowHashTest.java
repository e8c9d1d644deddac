package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowHashTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void knownAnswersOfTheAbiFunction() throws Exception {
        // Computed from the definition in sluice_abi.h by an independent implementation (Python, ints
        // masked to 64 bits); the packet tests check the XDP program agrees flow by flow.
        assertThat(FlowHash.hash(new FlowKey(InetAddress.getByName("192.0.2.7"), InetAddress.getByName("10.100.0.1"),
                40_000, 80, Protocol.TCP))).isEqualTo(0x4fa3b27a);
        assertThat(FlowHash.hash(new FlowKey(InetAddress.getByName("2001:db8::7"),
                InetAddress.getByName("2001:db8:100::1"), 40_000, 443, Protocol.UDP))).isEqualTo(0x55234fff);
    }

    @Test
    void everyByteAKeyCanSetChangesTheHash() {
        Random random = new Random(7);
        for (int family : new int[] {DataplaneAbi.AF_INET, DataplaneAbi.AF_INET6}) {
            byte[] key = new byte[FlowHash.FLOW_KEY_BYTES];
            random.nextBytes(key);
            if (family == DataplaneAbi.AF_INET) {
                Arrays.fill(key, 4, 16, (byte) 0);
                Arrays.fill(key, 20, 32, (byte) 0);
            }
            key[FlowKey.OFFSET_FAMILY] = (byte) family;
            key[FlowKey.OFFSET_PAD] = 0;
            key[FlowKey.OFFSET_PAD + 1] = 0;
            int base = FlowHash.hash(key);
            for (int i = 0; i < FlowKey.OFFSET_PAD; i++) {
                boolean alwaysZero = family == DataplaneAbi.AF_INET && (i >= 4 && i < 16 || i >= 20 && i < 32);
                if (alwaysZero || i == FlowKey.OFFSET_FAMILY) {
                    continue;
                }
                byte[] changed = key.clone();
                changed[i] ^= 1;
                assertThat(FlowHash.hash(changed)).as("family %d, byte %d", family, i).isNotEqualTo(base);
            }
        }
    }

    @Test
    void sequentialSourcePortsSpreadLikeRandomOverBucketsAndCheckBits() throws Exception {
        // A client's connections differ in the source port only. The low bits pick the flow-cache
        // bucket (and, mod M, the Maglev slot); bits 16.. are the slot check. 65,536 ports over 1,024
        // values: for a random function the chi-square statistic is 1,023 +- 45 (1,023 degrees of
        // freedom); above 1,250 (five of those) the hash clumps keys a real client sends.
        for (String client : new String[] {"192.0.2.7", "198.51.100.9", "2001:db8::7", "2001:db8:5::9"}) {
            InetAddress src = InetAddress.getByName(client);
            InetAddress vip = InetAddress.getByName(client.contains(":") ? "2001:db8:100::1" : "10.100.0.1");
            int[] low = new int[1024];
            int[] high = new int[1024];
            for (int port = 0; port < 65_536; port++) {
                int h = FlowHash.hash(new FlowKey(src, vip, port, 443, Protocol.TCP));
                low[h & 1023]++;
                high[(h >>> 16) & 1023]++;
            }
            assertThat(chiSquare(low, 64)).as("%s, low bits", client).isLessThan(1250);
            assertThat(chiSquare(high, 64)).as("%s, bits 16..25", client).isLessThan(1250);
        }
    }

    private static double chiSquare(int[] counts, double expected) {
        return Arrays.stream(counts).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
    }

    @Test
    void flowKeyOverloadHashesTheAbiLayout() throws Exception {
        FlowKey key = new FlowKey(InetAddress.getByName("192.0.2.7"), InetAddress.getByName("10.100.0.1"),
                40_000, 80, Protocol.TCP);
        // struct sluice_flow_key written out by hand: src[4], dst[4] (IPv4 in word 0, network order),
        // sport, dport (network order), proto, family, zero pad.
        byte[] expected = new byte[FlowHash.FLOW_KEY_BYTES];
        System.arraycopy(bytes(192, 0, 2, 7), 0, expected, 0, 4);
        System.arraycopy(bytes(10, 100, 0, 1), 0, expected, 16, 4);
        System.arraycopy(bytes(40_000 >> 8, 40_000 & 0xff, 0, 80, 6, 2), 0, expected, 32, 6);
        assertThat(FlowHash.hash(key)).isEqualTo(FlowHash.hash(expected));

        FlowKey reversed = new FlowKey(key.dst(), key.src(), key.dstPort(), key.srcPort(), Protocol.TCP);
        assertThat(FlowHash.hash(reversed)).isNotEqualTo(FlowHash.hash(key));
    }

    @Test
    void rejectsOtherLengths() {
        assertThatThrownBy(() -> FlowHash.hash(new byte[39])).hasMessageContaining("40 bytes, got 39");
    }

    /**
     * The identity the table fingerprint carries, from an independent implementation (Python, over
     * the reference keys 1..40 with family AF_INET / AF_INET6). A change here is a change of the
     * flow hash: every table fingerprint changes with it, and so must the dataplane ABI.
     */
    @Test
    void identityIsTheKnownAnswersOfTheReferenceKeys() {
        assertThat(FlowHash.IDENTITY).isEqualTo(0x29371f467509dccdL);
    }
}
