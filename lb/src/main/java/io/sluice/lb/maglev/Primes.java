package io.sluice.lb.maglev;

/** Primality for table sizes (also used by config validation); sizes are at most a few hundred thousand, so trial division is instant. */
public final class Primes {
    private Primes() {
    }

    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (int d = 3; (long) d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
