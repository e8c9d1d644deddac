package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowOccupancyTest {
    /** A table of per-bucket slot counts that records which ranges were read. */
    private static final class Table implements FlowOccupancy.Source {
        long[] slots;
        final List<String> reads = new ArrayList<>();

        Table(int buckets) {
            slots = new long[buckets];
        }

        @Override
        public int buckets() {
            return slots.length;
        }

        @Override
        public long occupied(int firstBucket, int buckets) {
            reads.add(firstBucket + "+" + buckets);
            long total = 0;
            for (int i = firstBucket; i < firstBucket + buckets; i++) {
                total += slots[i];
            }
            return total;
        }
    }

    @Test
    void theFirstRefreshReadsTheWholeTableAndEachLaterOneSegment() {
        Table table = new Table(10);
        table.slots[0] = 1;
        table.slots[9] = 4;
        FlowOccupancy occupancy = new FlowOccupancy(3);

        assertThat(occupancy.refresh(table)).isEqualTo(5);
        // 10 buckets in 3 segments: 3, 3 and the remaining 4.
        assertThat(table.reads).containsExactly("0+3", "3+3", "6+4");

        table.reads.clear();
        table.slots[4] = 2; // in the second segment: seen when that segment is read
        assertThat(occupancy.refresh(table)).isEqualTo(5);
        assertThat(occupancy.refresh(table)).isEqualTo(7);
        table.slots[0] = 0;
        assertThat(occupancy.refresh(table)).isEqualTo(7);
        assertThat(occupancy.refresh(table)).isEqualTo(6);
        assertThat(table.reads).containsExactly("0+3", "3+3", "6+4", "0+3");
    }

    @Test
    void aTableOfAnotherSizeIsReadWholeAgain() {
        Table table = new Table(8);
        table.slots[7] = 3;
        FlowOccupancy occupancy = new FlowOccupancy(4);
        assertThat(occupancy.refresh(table)).isEqualTo(3);

        table.slots = new long[16];
        table.slots[15] = 1;
        table.reads.clear();
        assertThat(occupancy.refresh(table)).isEqualTo(1);
        assertThat(table.reads).containsExactly("0+4", "4+4", "8+4", "12+4");
    }

    @Test
    void moreSegmentsThanBucketsReadsEachBucketOnceAndNothingTwice() {
        Table table = new Table(2);
        table.slots[0] = 1;
        table.slots[1] = 1;
        FlowOccupancy occupancy = new FlowOccupancy(4);
        assertThat(occupancy.refresh(table)).isEqualTo(2);
        assertThat(table.reads).containsExactly("0+2");
        assertThatThrownBy(() -> new FlowOccupancy(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
