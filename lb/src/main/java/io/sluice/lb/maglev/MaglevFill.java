package io.sluice.lb.maglev;

import java.util.Arrays;

/**
 * The Maglev population loop, weighted by credits.
 *
 * <p>Backend i's preference list is offset_i, offset_i + skip_i, ... (mod M); M is
 * prime, so it visits every slot. The fill goes in rounds over the backends in
 * canonical order. Each round, backend i earns w_i * A credits (A = number of
 * backends with weight above zero) and spends W = sum of weights per turn; a turn
 * claims its next preferred empty slot. A round therefore hands out about A turns
 * in total, so the fill costs O(M) turns whatever the weights, and with equal
 * weights every backend gets exactly one turn per round: the paper's algorithm.
 */
final class MaglevFill {
    private MaglevFill() {
    }

    /** Returns the owner index of each of the size slots, all NO_OWNER if no weight is positive. */
    static int[] fill(int size, int[] offsets, int[] skips, int[] weights) {
        int[] owners = new int[size];
        Arrays.fill(owners, MaglevTable.NO_OWNER);
        int[] active = activeIndexes(weights);
        if (active.length == 0) {
            return owners;
        }
        long totalWeight = 0;
        for (int i : active) {
            totalWeight += weights[i];
        }
        long[] earnPerRound = new long[active.length];
        int[] position = new int[active.length];
        int[] skip = new int[active.length];
        for (int a = 0; a < active.length; a++) {
            earnPerRound[a] = (long) weights[active[a]] * active.length;
            position[a] = offsets[active[a]];
            skip[a] = skips[active[a]];
        }
        long[] credit = new long[active.length];
        int filled = 0;
        while (true) {
            for (int a = 0; a < active.length; a++) {
                credit[a] += earnPerRound[a];
                while (credit[a] >= totalWeight) {
                    credit[a] -= totalWeight;
                    int p = position[a];
                    while (owners[p] != MaglevTable.NO_OWNER) {
                        p += skip[a];
                        if (p >= size) {
                            p -= size;
                        }
                    }
                    owners[p] = active[a];
                    p += skip[a];
                    position[a] = p >= size ? p - size : p;
                    if (++filled == size) {
                        return owners;
                    }
                }
            }
        }
    }

    private static int[] activeIndexes(int[] weights) {
        int count = 0;
        for (int w : weights) {
            if (w > 0) {
                count++;
            }
        }
        int[] active = new int[count];
        int a = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                active[a++] = i;
            }
        }
        return active;
    }
}
