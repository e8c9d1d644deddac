package io.sluice.lb.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Pins in the data plane's directory that this build does not use: after a downgrade, the tables a
 * newer build added (its flow table of a later layout, say) stay pinned and keep their memory, and
 * no older build can know their names to retire them. They are reported, never removed: the
 * directory is the operator's to choose, and only {@code sluiced --detach} clears it.
 */
final class StrayPins {
    private StrayPins() {
    }

    /** The entries of {@code pinDir} not named in {@code used}, sorted; none if it cannot be listed. */
    static List<Path> in(Path pinDir, Collection<String> used) {
        Set<String> known = Set.copyOf(used);
        try (Stream<Path> pins = Files.list(pinDir)) {
            return pins.filter(pin -> !known.contains(pin.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
