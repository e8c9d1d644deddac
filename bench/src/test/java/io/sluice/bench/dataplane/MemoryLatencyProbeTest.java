package io.sluice.bench.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The probe's walk must cover its whole region, or it would time the cache, not the memory. */
class MemoryLatencyProbeTest {

    @Test
    void oneWalkVisitsEveryLineOfTheRegionOnce() {
        assertThat(new MemoryLatencyProbe(64 * 1024).linesInCycle()).isEqualTo(1024);
        assertThat(new MemoryLatencyProbe(128).linesInCycle()).isEqualTo(2);
        // A size that is not a whole number of lines: the whole lines.
        assertThat(new MemoryLatencyProbe(64 * 1000 + 17).linesInCycle()).isEqualTo(1000);
    }

    @Test
    void refusesARegionOfLessThanTwoLines() {
        assertThatThrownBy(() -> new MemoryLatencyProbe(127)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("128 B");
    }
}
