package io.sluice.lb.dos;

import io.sluice.lb.dataplane.LpmPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's way into the DoS stage: every call runs on the daemon thread (through
 * {@code daemonThread}, which posts it to the daemon's event queue), so nothing races a reconcile,
 * and every change of the temporary manual blocks is saved in the blocks file before it is answered.
 */
public final class DosControl {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private final Supplier<DosService> service;
    private final Executor daemonThread;
    private final Supplier<Path> blocksFile;

    /**
     * @param service      read on the daemon thread (the service exists by the time a task runs)
     * @param daemonThread runs a task on the daemon thread
     * @param blocksFile   the config's {@code dos.blocks_file}, read on the daemon thread
     */
    public DosControl(Supplier<DosService> service, Executor daemonThread, Supplier<Path> blocksFile) {
        this.service = service;
        this.daemonThread = daemonThread;
        this.blocksFile = blocksFile;
    }

    /** Rules, blocks, hit counters (every deny entry's) and drop counters. */
    public CompletableFuture<DosSnapshot> snapshot() {
        return CompletableFuture.supplyAsync(() -> service.get().snapshot(true), daemonThread);
    }

    /**
     * Blocks {@code prefix} until {@code ttl} has passed, and saves it.
     *
     * @throws IllegalArgumentException (in the future) when the allow list covers it or the deny list is full
     * @throws UncheckedIOException     (in the future) when it could not be saved; then it is not blocked
     */
    public CompletableFuture<Block> block(LpmPrefix prefix, Duration ttl, String reason) {
        return CompletableFuture.supplyAsync(() -> {
            DosService dos = service.get();
            Optional<Block> before = Optional.ofNullable(dos.blocks().get(prefix));
            Block block = dos.block(prefix, Optional.of(ttl), reason);
            try {
                save(dos);
            } catch (IOException e) {
                dos.unblock(prefix);
                before.ifPresent(b -> dos.restore(java.util.List.of(b)));
                throw new UncheckedIOException("not blocked: the blocks file " + blocksFile.get()
                        + " could not be written: " + e.getMessage(), e);
            }
            return block;
        }, daemonThread);
    }

    /**
     * Lifts a run-time block (manual or automatic) and saves the rest; empty when there was none.
     *
     * @throws UncheckedIOException (in the future) when the blocks file could not be written: the
     *                              block is lifted, but a restart would put it back
     */
    public CompletableFuture<Optional<Block>> unblock(LpmPrefix prefix) {
        return CompletableFuture.supplyAsync(() -> {
            DosService dos = service.get();
            Optional<Block> removed = dos.unblock(prefix);
            if (removed.isPresent() && removed.get().origin() == Block.Origin.MANUAL) {
                try {
                    save(dos);
                } catch (IOException e) {
                    throw new UncheckedIOException("unblocked now, but the blocks file " + blocksFile.get()
                            + " could not be written, so a restart would block it again: " + e.getMessage(), e);
                }
            }
            return removed;
        }, daemonThread);
    }

    /** At startup, on the daemon thread, after the first apply: puts the saved blocks back with the time they have left. */
    public void restore() {
        DosService dos = service.get();
        BlocksFile file = new BlocksFile(blocksFile.get());
        try {
            if (!java.nio.file.Files.exists(file.file())) {
                return;
            }
            int restored = dos.restore(file.read()).size();
            save(dos); // drops what expired while the daemon was down
            if (restored > 0) {
                log.info("event=dos_blocks_restored file={} blocks={}", file.file(), restored);
            }
        } catch (IOException | RuntimeException e) {
            log.error("event=dos_blocks_restore_failed file={} error=\"{}\"", file.file(), e.getMessage());
        }
    }

    private void save(DosService dos) throws IOException {
        new BlocksFile(blocksFile.get()).write(dos.blocks().values());
    }
}
