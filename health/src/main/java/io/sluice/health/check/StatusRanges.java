package io.sluice.health.check;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Accepted HTTP status codes, written like "200-299,301". */
public record StatusRanges(List<Range> ranges) {
    private static final int MIN_STATUS = 100;
    private static final int MAX_STATUS = 599;

    /** HAProxy's default: any 2xx or 3xx answer means the backend is alive. */
    public static final StatusRanges DEFAULT = parse("200-399");

    public record Range(int low, int high) {
        public Range {
            if (low < MIN_STATUS || high > MAX_STATUS || low > high) {
                throw new IllegalArgumentException("bad status range " + low + "-" + high);
            }
        }

        boolean contains(int status) {
            return status >= low && status <= high;
        }

        @Override
        public String toString() {
            return low == high ? Integer.toString(low) : low + "-" + high;
        }
    }

    public StatusRanges {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no status range given");
        }
        ranges = List.copyOf(ranges);
    }

    public static StatusRanges parse(String text) {
        List<Range> ranges = new ArrayList<>();
        for (String part : text.split(",")) {
            String item = part.strip();
            if (item.isEmpty()) {
                continue;
            }
            int dash = item.indexOf('-');
            try {
                if (dash < 0) {
                    int status = Integer.parseInt(item);
                    ranges.add(new Range(status, status));
                } else {
                    ranges.add(new Range(Integer.parseInt(item.substring(0, dash).strip()),
                            Integer.parseInt(item.substring(dash + 1).strip())));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad status list '" + text + "'", e);
            }
        }
        return new StatusRanges(ranges);
    }

    public boolean matches(int status) {
        return ranges.stream().anyMatch(range -> range.contains(status));
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::toString).collect(Collectors.joining(","));
    }
}
