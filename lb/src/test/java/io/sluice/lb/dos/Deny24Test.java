package io.sluice.lb.dos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.Cidr;
import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.LpmPrefix;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The /24-indexed deny array the program reads instead of walking the trie. */
class Deny24Test {

    private static LpmPrefix p(String text) {
        Cidr c = Cidr.parse(text);
        return new LpmPrefix(c.network(), c.prefixLength());
    }

    private static int at(Deny24 table, int a, int b, int c) {
        int slash24 = a << 16 | b << 8 | c;
        return table.chunk(slash24 / Deny24.CHUNK_ENTRIES)[slash24 % Deny24.CHUNK_ENTRIES];
    }

    @Test
    void longestPrefixUpToSlash24WinsAndLongerOnesHandTheSlash24ToTheTrie() {
        Deny24 table = new Deny24(Map.of(p("10.0.0.0/8"), 1, p("10.1.0.0/16"), 2, p("10.1.2.0/24"), 3,
                p("10.1.3.128/25"), 4, p("2001:db8::/32"), 5));

        assertThat(at(table, 10, 9, 9)).isEqualTo(1 + 1);
        assertThat(at(table, 10, 1, 9)).isEqualTo(2 + 1);
        assertThat(at(table, 10, 1, 2)).isEqualTo(3 + 1);
        assertThat(at(table, 10, 1, 3)).isEqualTo(DosAbi.DOS_DENY24_LPM);
        assertThat(at(table, 11, 0, 0)).isZero();
        assertThat(at(table, 9, 255, 255)).isZero();
    }

    @Test
    void shortPrefixesSpanManyChunks() {
        Deny24 table = new Deny24(Map.of(p("0.0.0.0/0"), 7, p("128.0.0.0/2"), 8));

        assertThat(at(table, 0, 0, 0)).isEqualTo(7 + 1);
        assertThat(at(table, 127, 255, 255)).isEqualTo(7 + 1);
        assertThat(at(table, 128, 0, 0)).isEqualTo(8 + 1);
        assertThat(at(table, 191, 255, 255)).isEqualTo(8 + 1);
        assertThat(at(table, 192, 0, 0)).isEqualTo(7 + 1);
    }
}
