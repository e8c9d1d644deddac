package io.sluice.lb.bpf;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An XDP program attached to an interface through a bpf_link. Pinning the link keeps the
 * program attached after this process exits; a later process opens the pin, swaps the
 * program atomically ({@link #updateProgram}) and never needs to detach.
 *
 * <p>Thread-safety: as {@link BpfMap}.
 */
public final class BpfLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BpfLink.class);

    /** enum bpf_attach_type BPF_XDP. */
    static final int ATTACH_TYPE_XDP = 37;

    /* struct bpf_link_create_opts { size_t sz; __u32 flags; ... } (64 bytes in libbpf 1.1) */
    static final int LINK_CREATE_OPTS_SIZE = 64;
    static final int LINK_CREATE_SZ = 0;
    static final int LINK_CREATE_FLAGS = 8;

    /* struct bpf_xdp_query_opts { size_t sz; __u32 prog_id; __u32 drv_prog_id; __u32 hw_prog_id;
     *                             __u32 skb_prog_id; __u8 attach_mode; } */
    static final int XDP_QUERY_OPTS_SIZE = 32;
    static final int XDP_QUERY_SZ = 0;
    static final int XDP_QUERY_DRV_PROG_ID = 12;
    static final int XDP_QUERY_HW_PROG_ID = 16;
    static final int XDP_QUERY_SKB_PROG_ID = 20;
    static final int XDP_QUERY_ATTACH_MODE = 24;
    /** enum XDP_ATTACHED_* (linux/if_link.h). */
    private static final int XDP_ATTACHED_DRV = 1;
    private static final int XDP_ATTACHED_SKB = 2;
    private static final int XDP_ATTACHED_HW = 3;

    private static final AtomicBoolean GENERIC_FALLBACK_LOGGED = new AtomicBoolean();

    private final XdpMode mode;
    private final OwnedFd owned;

    private BpfLink(int fd, XdpMode mode) {
        this.owned = new OwnedFd(fd);
        this.mode = mode;
    }

    /**
     * Attaches {@code program} to interface {@code ifindex}. {@link XdpMode#AUTO} tries native
     * mode, then generic (logged once per process); the mode in effect is {@link #mode()}.
     */
    public static BpfLink attachXdp(BpfProgram program, int ifindex, XdpMode mode) {
        if (mode != XdpMode.AUTO) {
            return new BpfLink(create(program, ifindex, mode), mode);
        }
        try {
            return new BpfLink(create(program, ifindex, XdpMode.NATIVE), XdpMode.NATIVE);
        } catch (BpfException nativeFailure) {
            if (nativeFailure.errno() == Errors.EEXIST || nativeFailure.errno() == Errors.EBADF) {
                throw nativeFailure;
            }
            BpfLink generic = new BpfLink(create(program, ifindex, XdpMode.GENERIC), XdpMode.GENERIC);
            if (GENERIC_FALLBACK_LOGGED.compareAndSet(false, true)) {
                LOG.warn("native XDP not available on ifindex {} ({}); using generic mode", ifindex,
                        Errors.describe(nativeFailure.errno()));
            }
            return generic;
        }
    }

    private static int create(BpfProgram program, int ifindex, XdpMode mode) {
        Pointer opts = Native.allocate(LINK_CREATE_OPTS_SIZE);
        opts.putLong(LINK_CREATE_SZ, LINK_CREATE_OPTS_SIZE);
        opts.putInt(LINK_CREATE_FLAGS, mode.attachFlags());
        long mark = Native.log().mark();
        return Native.check(Native.libbpf().bpf_link_create(program.fd(), ifindex, ATTACH_TYPE_XDP, opts), mark,
                "attach XDP (" + mode + ") " + program + " to", "ifindex " + ifindex);
    }

    /** Opens a pinned link; its mode is read back from the interface. */
    public static BpfLink openPinned(Path path) {
        long mark = Native.log().mark();
        int fd = Native.check(Native.libbpf().bpf_obj_get(path.toString()), mark, "open pinned link",
                path.toString());
        try {
            LinkInfo info = ObjectInfo.link(fd, path.toString());
            return new BpfLink(fd, modeInEffect(info));
        } catch (RuntimeException e) {
            Native.closeFd(fd);
            throw e;
        }
    }

    private static XdpMode modeInEffect(LinkInfo info) {
        Pointer opts = Native.allocate(XDP_QUERY_OPTS_SIZE);
        opts.putLong(XDP_QUERY_SZ, XDP_QUERY_OPTS_SIZE);
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_xdp_query(info.ifindex(), 0, opts), mark, "query XDP on",
                "ifindex " + info.ifindex());
        switch (opts.getByte(XDP_QUERY_ATTACH_MODE)) {
            case XDP_ATTACHED_DRV:
                return XdpMode.NATIVE;
            case XDP_ATTACHED_SKB:
                return XdpMode.GENERIC;
            case XDP_ATTACHED_HW:
                return XdpMode.OFFLOAD;
            default: // several programs in different modes: find ours
                if (opts.getInt(XDP_QUERY_DRV_PROG_ID) == info.programId()) {
                    return XdpMode.NATIVE;
                }
                if (opts.getInt(XDP_QUERY_SKB_PROG_ID) == info.programId()) {
                    return XdpMode.GENERIC;
                }
                if (opts.getInt(XDP_QUERY_HW_PROG_ID) == info.programId()) {
                    return XdpMode.OFFLOAD;
                }
                return XdpMode.AUTO;
        }
    }

    /** The mode in effect; AUTO only for a pinned link whose interface no longer reports it (detached). */
    public XdpMode mode() {
        return mode;
    }

    public int fd() {
        return liveFd("use");
    }

    public void pin(Path path) {
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_obj_pin(liveFd("pin"), path.toString()), mark, "pin XDP link at",
                path.toString());
    }

    /** bpf_link_update: the interface switches from the old program to {@code program} in one step. */
    public void updateProgram(BpfProgram program) {
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_link_update(liveFd("update"), program.fd(), null), mark,
                "replace program of XDP link with", program.toString());
    }

    public LinkInfo info() {
        return ObjectInfo.link(liveFd("read info of"), "XDP link");
    }

    /** bpf_link_detach: removes the program from the interface (the link and its pin become defunct). */
    public void detach() {
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_link_detach(liveFd("detach")), mark, "detach", "XDP link");
    }

    /** Closes the fd only: a pinned link keeps its program attached. Idempotent. */
    @Override
    public void close() {
        owned.close();
    }

    private int liveFd(String what) {
        return owned.live(what, "XDP link");
    }
}
