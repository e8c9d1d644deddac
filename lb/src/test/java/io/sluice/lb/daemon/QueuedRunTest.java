package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;

class QueuedRunTest {
    private sealed interface Event permits Health, Other {
    }

    private record Health(int n) implements Event {
    }

    private record Other(int n) implements Event {
    }

    @Test
    void takesTheSameKindQueuedRightBehindAndStopsAtAnotherKind() {
        Queue<Event> queue = new ArrayDeque<>(List.of(new Health(2), new Health(3), new Other(4), new Health(5)));

        List<Health> run = QueuedRun.take(new Health(1), queue, Health.class, 100);

        assertThat(run).containsExactly(new Health(1), new Health(2), new Health(3));
        assertThat(queue).containsExactly(new Other(4), new Health(5));
    }

    @Test
    void aRunEndsAtItsBoundAndAnEmptyQueueGivesTheFirstAlone() {
        Queue<Event> queue = new ArrayDeque<>(List.of(new Health(2), new Health(3), new Health(4)));

        assertThat(QueuedRun.take(new Health(1), queue, Health.class, 2))
                .containsExactly(new Health(1), new Health(2));
        assertThat(queue).containsExactly(new Health(3), new Health(4));
        assertThat(QueuedRun.take(new Health(9), new ArrayDeque<Event>(), Health.class, 5))
                .containsExactly(new Health(9));
        assertThatThrownBy(() -> QueuedRun.take(new Health(1), queue, Health.class, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
