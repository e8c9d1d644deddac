package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BackendEntryCodecTest {

    @Test
    void inUseIpv4BackendLayout() throws Exception {
        BackendEntry entry = BackendEntry.inUse(InetAddress.getByName("10.0.0.9"), 0x0302);
        byte[] bytes = entry.encode();

        assertThat(bytes).hasSize(BackendEntry.SIZE);
        assertThat(Arrays.copyOfRange(bytes, 0, 4)).containsExactly(10, 0, 0, 9);
        assertThat(bytes[BackendEntry.OFFSET_FAMILY]).isEqualTo((byte) DataplaneAbi.AF_INET);
        assertThat(bytes[BackendEntry.OFFSET_FLAGS]).isEqualTo((byte) DataplaneAbi.BACKEND_FLAG_IN_USE);
        assertThat(java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder())
                .getShort(BackendEntry.OFFSET_OWNER_VIP)).isEqualTo((short) 0x0302);
        assertThat(entry.inUse()).isTrue();
        assertThat(BackendEntry.isInUse(bytes)).isTrue();
        assertThat(BackendEntry.decode(bytes)).isEqualTo(entry);
    }

    @Test
    void entryWithoutInUseFlagIsNotInUse() throws Exception {
        BackendEntry entry = new BackendEntry(InetAddress.getByName("fd00::5"), 0);
        assertThat(entry.inUse()).isFalse();
        assertThat(BackendEntry.isInUse(entry.encode())).isFalse();
        assertThat(BackendEntry.isInUse(new byte[BackendEntry.SIZE])).isFalse();
        assertThat(BackendEntry.decode(entry.encode())).isEqualTo(entry);
    }
}
