package io.sluice.lb.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random damage to a valid file must end in a config or a ConfigException, never in
 * an NPE, ClassCastException or the like: bad config must get a clear error.
 */
class ConfigFuzzTest {
    private static final int ROUNDS = 3000;
    private static final String[] REPLACEMENTS = {
        "", "~", "null", "-1", "0", "65537", "99999999999999999999", "1.5", "true", "no", "[]", "{}", "[1, 2]",
        "{a: b}", "\"\"", "'x'", "::", "10.0.0.1", "fd00::/96", "&a x", "*a", "!!binary aGk=", "- x", ": :", "\t",
        "\"\\u0000\"", "0x10", ".nan", "1e9", "aa:bb:cc:dd:ee:ff", "eth0", "/x/../y"};

    @Test
    void mutationsNeverThrowAnythingButConfigException() {
        Random random = new Random(20_161_130);
        String valid = ConfigLoaderTest.VALID;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String mutated = valid;
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                mutated = mutate(mutated, random);
            }
            try {
                ConfigLoader.parse(mutated);
            } catch (ConfigException e) {
                rejected++;
                assertThat(e.errors()).isNotEmpty();
                assertThat(e.errors()).allSatisfy(error -> {
                    assertThat(error.field()).isNotBlank();
                    assertThat(error.reason()).isNotBlank();
                });
            } catch (RuntimeException e) {
                throw new AssertionError("unexpected " + e + " for:\n" + mutated, e);
            }
        }
        // The mutations must actually hit something, or the test proves nothing.
        assertThat(rejected).isGreaterThan(ROUNDS / 2);
    }

    private static String mutate(String text, Random random) {
        if (text.isEmpty()) {
            return text;
        }
        switch (random.nextInt(5)) {
            case 0: {
                int at = random.nextInt(text.length());
                int len = 1 + random.nextInt(Math.min(8, text.length() - at));
                return text.substring(0, at) + text.substring(at + len);
            }
            case 1: {
                int at = random.nextInt(text.length());
                char c = (char) (' ' + random.nextInt(95));
                return text.substring(0, at) + c + text.substring(at);
            }
            case 2:
                return replaceValue(text, random, REPLACEMENTS[random.nextInt(REPLACEMENTS.length)]);
            case 3:
                return swapValues(text, random);
            default: {
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                int a = random.nextInt(lines.size());
                lines.add(random.nextInt(lines.size()), lines.remove(a));
                return String.join("\n", lines);
            }
        }
    }

    private static String replaceValue(String text, Random random, String replacement) {
        String[] lines = text.split("\n", -1);
        int i = random.nextInt(lines.length);
        int colon = lines[i].indexOf(": ");
        if (colon >= 0) {
            lines[i] = lines[i].substring(0, colon + 2) + replacement;
        }
        return String.join("\n", lines);
    }

    private static String swapValues(String text, Random random) {
        String[] lines = text.split("\n", -1);
        int a = random.nextInt(lines.length);
        int b = random.nextInt(lines.length);
        int ca = lines[a].indexOf(": ");
        int cb = lines[b].indexOf(": ");
        if (ca < 0 || cb < 0) {
            return text;
        }
        String va = lines[a].substring(ca + 2);
        lines[a] = lines[a].substring(0, ca + 2) + lines[b].substring(cb + 2);
        lines[b] = lines[b].substring(0, cb + 2) + va;
        return String.join("\n", lines);
    }
}
