package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentTableEpochsTest {

    private final RecentTableEpochs epochs = new RecentTableEpochs();

    @Test
    void anEpochIsBarredUntilRecentNewerTablesFollowIt() {
        epochs.remember(1, 42);
        for (int epoch = 100; epoch < 100 + RecentTableEpochs.RECENT - 1; epoch++) {
            epochs.remember(1, epoch);
        }
        assertThat(epochs.isBarred(1, 42)).as("42 is one of the last %d", RecentTableEpochs.RECENT).isTrue();
        epochs.remember(1, 7);
        assertThat(epochs.isBarred(1, 42)).isFalse();
        assertThat(epochs.isBarred(1, 7)).isTrue();
    }

    @Test
    void eachVipHasItsOwnHistory() {
        epochs.remember(1, 42);
        assertThat(epochs.knows(1)).isTrue();
        assertThat(epochs.knows(2)).isFalse();
        assertThat(epochs.isBarred(2, 42)).isFalse();
    }

    @Test
    void theEpochOfWaysWrittenBeforeAbi11IsAlwaysBarred() {
        assertThat(epochs.isBarred(3, DataplaneAbi.TABLE_EPOCH_NONE)).isTrue();
        assertThat(epochs.isBarred(3, 1)).isFalse();
    }
}
