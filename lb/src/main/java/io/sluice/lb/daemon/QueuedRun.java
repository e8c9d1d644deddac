package io.sluice.lb.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * An event and the events of the same kind queued right behind it, taken together so the event
 * loop handles a burst in one go (a rack of backends failing their checks: one reconcile, not
 * one each). Stops at the first event of another kind, so nothing is handled out of order, and
 * at {@code max}, so the events behind a long burst do not wait without end. The queue's only
 * consumer calls this (a peeked head is still the head when taken).
 */
final class QueuedRun {
    private QueuedRun() {
    }

    static <E, T extends E> List<T> take(T first, Queue<E> queue, Class<T> kind, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a run holds at least its first event: " + max);
        }
        List<T> run = new ArrayList<>();
        run.add(first);
        while (run.size() < max && kind.isInstance(queue.peek())) {
            run.add(kind.cast(queue.poll()));
        }
        return run;
    }
}
