package io.sluice.lb.dos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.dataplane.DosSourceKey;
import io.sluice.lb.dataplane.DosSourceState;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rates from successive readings of the per-source packet counters. */
class RateWatchTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static DosSourceKey key(String address) throws Exception {
        return DosSourceKey.of(InetAddress.getByName(address));
    }

    private static DosSourceState packets(long n) {
        return new DosSourceState(0, 0, n, 0, 0);
    }

    @Test
    void aRateNeedsTwoReadingsAndOnlySourcesOverTheThresholdAreReported() throws Exception {
        RateWatch watch = new RateWatch();
        DosSourceKey loud = key("203.0.113.9");
        DosSourceKey quiet = key("192.0.2.10");

        assertThat(watch.over(Map.of(loud, packets(1_000_000)), T0, 100)).as("baseline only").isEmpty();
        var rates = watch.over(Map.of(loud, packets(1_000_500), quiet, packets(50)), T0.plusMillis(2000), 100);

        assertThat(rates).singleElement().satisfies(r -> {
            assertThat(r.source()).isEqualTo(loud);
            assertThat(r.packetsPerSecond()).isEqualTo(250.0);
        });
    }

    @Test
    void aCounterThatWentBackIsABaselineNotANegativeRate() throws Exception {
        RateWatch watch = new RateWatch();
        DosSourceKey source = key("2001:db8::1");
        watch.over(Map.of(source, packets(5000)), T0, 10);

        assertThat(watch.over(Map.of(source, packets(20)), T0.plusSeconds(1), 10)).as("evicted and re-created")
                .isEmpty();
        assertThat(watch.over(Map.of(source, packets(2020)), T0.plusSeconds(2), 10)).hasSize(1);
    }
}
