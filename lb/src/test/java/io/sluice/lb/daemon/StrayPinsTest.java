package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrayPinsTest {
    @TempDir
    Path pinDir;

    @Test
    void listsTheEntriesNoUsedNameCoversSorted() throws Exception {
        for (String name : List.of("link", "flows4", "vips", "flows_next", "dos_next")) {
            Files.createFile(pinDir.resolve(name));
        }

        assertThat(StrayPins.in(pinDir, List.of("link", "flows4", "vips")))
                .containsExactly(pinDir.resolve("dos_next"), pinDir.resolve("flows_next"));
        assertThat(StrayPins.in(pinDir, List.of("link", "flows4", "vips", "flows_next", "dos_next"))).isEmpty();
    }

    @Test
    void aDirectoryThatCannotBeListedHasNone() {
        assertThat(StrayPins.in(pinDir.resolve("missing"), List.of())).isEmpty();
    }
}
