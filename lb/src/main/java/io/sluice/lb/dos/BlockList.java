package io.sluice.lb.dos;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.sluice.lb.dataplane.LpmPrefix;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The run-time blocks, each expiring at its own time: a Caffeine cache with a per-entry expiry, read
 * through the daemon's clock (so tests move time instead of sleeping). Expired blocks are reported
 * to {@code onExpired} from {@link #expire()}, on the caller's thread (the daemon's).
 */
final class BlockList {
    private final Clock clock;
    private final Cache<LpmPrefix, Block> blocks;

    BlockList(Clock clock, Consumer<Block> onExpired) {
        this.clock = clock;
        Ticker ticker = () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
        this.blocks = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfter(new Expiry<LpmPrefix, Block>() {
                    @Override
                    public long expireAfterCreate(LpmPrefix key, Block block, long currentTime) {
                        return nanosLeft(block);
                    }

                    @Override
                    public long expireAfterUpdate(LpmPrefix key, Block block, long currentTime, long currentDuration) {
                        return nanosLeft(block);
                    }

                    @Override
                    public long expireAfterRead(LpmPrefix key, Block block, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .removalListener((LpmPrefix key, Block block, RemovalCause cause) -> {
                    if (cause == RemovalCause.EXPIRED && block != null) {
                        onExpired.accept(block);
                    }
                })
                .build();
    }

    private long nanosLeft(Block block) {
        if (block.expiresAt().isEmpty()) {
            return Long.MAX_VALUE;
        }
        Duration left = Duration.between(clock.instant(), block.expiresAt().get());
        return left.isNegative() ? 0 : saturatedNanos(left);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    void put(Block block) {
        blocks.put(block.prefix(), block);
    }

    Optional<Block> remove(LpmPrefix prefix) {
        return Optional.ofNullable(blocks.asMap().remove(prefix));
    }

    Optional<Block> get(LpmPrefix prefix) {
        return Optional.ofNullable(blocks.getIfPresent(prefix));
    }

    /** Drops expired blocks now (each reported to the listener). */
    void expire() {
        blocks.cleanUp();
    }

    /** The blocks in force (expired ones excluded). */
    Map<LpmPrefix, Block> active() {
        return Map.copyOf(blocks.asMap());
    }

    int size() {
        return blocks.asMap().size();
    }
}
