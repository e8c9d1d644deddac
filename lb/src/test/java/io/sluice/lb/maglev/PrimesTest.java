package io.sluice.lb.maglev;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrimesTest {
    @Test
    void agreesWithBigIntegerOnTheSmallRange() {
        for (int n = -2; n < 5000; n++) {
            boolean expected = n > 1 && java.math.BigInteger.valueOf(n).isProbablePrime(50);
            assertThat(Primes.isPrime(n)).as("%d", n).isEqualTo(expected);
        }
    }

    @Test
    void knowsTheTableSizesInUse() {
        assertThat(Primes.isPrime(65_537)).isTrue();
        assertThat(Primes.isPrime(655_373)).isTrue();
        assertThat(Primes.isPrime(65_536)).isFalse();
        assertThat(Primes.isPrime(655_371)).isFalse();
    }
}
