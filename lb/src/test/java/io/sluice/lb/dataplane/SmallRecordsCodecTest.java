package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** VipMeta, TrafficCounter and the reason enums. */
class SmallRecordsCodecTest {

    @Test
    void vipMetaIsTwoHostOrderU32s() {
        VipMeta meta = new VipMeta(17, 5);
        ByteBuffer b = ByteBuffer.wrap(meta.encode()).order(ByteOrder.nativeOrder());
        assertThat(b.getInt(VipMeta.OFFSET_VIP_ID)).isEqualTo(17);
        assertThat(b.getInt(VipMeta.OFFSET_FLAGS)).isEqualTo(5);
        assertThat(VipMeta.decode(meta.encode())).isEqualTo(meta);
        assertThatThrownBy(() -> new VipMeta(DataplaneAbi.MAX_VIPS, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trafficCountersAddAndSumAcrossCpus() {
        TrafficCounter a = new TrafficCounter(1, 100, 1, 4);
        TrafficCounter b = new TrafficCounter(2, 250, 0, 5);
        assertThat(a.plus(b)).isEqualTo(new TrafficCounter(3, 350, 1, 9));

        byte[] perCpu = new byte[TrafficCounter.SIZE * 2];
        System.arraycopy(a.encode(), 0, perCpu, 0, TrafficCounter.SIZE);
        System.arraycopy(b.encode(), 0, perCpu, TrafficCounter.SIZE, TrafficCounter.SIZE);
        assertThat(TrafficCounter.sumPerCpu(perCpu)).isEqualTo(a.plus(b));
        assertThat(TrafficCounter.decode(a.encode())).isEqualTo(a);
        assertThatThrownBy(() -> TrafficCounter.sumPerCpu(new byte[TrafficCounter.SIZE + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reasonsKnowTheirCNamesAndIndices() {
        assertThat(Reason.PASS_NOT_IP.cName()).isEqualTo("SLUICE_PASS_NOT_IP");
        assertThat(Reason.PASS_NOT_IP.value()).isZero();
        assertThat(Reason.IPV4_OPTIONS.value()).as("reasons are only ever appended").isEqualTo(12);
        assertThat(Reason.FLOW_SYN_REPLACED.value()).isEqualTo(22);
        assertThat(Reason.FLOW_MOVED_ALONE.value()).isEqualTo(Reason.COUNT - 1);
        assertThat(Reason.COUNT).as("the reasons map has a slot for each").isLessThanOrEqualTo(DataplaneAbi.REASON_SLOTS);
        assertThat(Reason.DROP_NO_CONFIG.label()).isEqualTo("drop_no_config");
        assertThat(DecapReason.DONE.cName()).isEqualTo("SLUICE_DECAP_DONE");
    }
}
