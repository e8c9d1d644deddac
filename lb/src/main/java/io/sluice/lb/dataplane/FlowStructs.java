package io.sluice.lb.dataplane;

/**
 * The flow tables' C structs (sluice_abi.h) as sizes and member offsets, one holder per struct:
 * DataplaneAbiBtfTest checks each against the object file's BTF, and {@link FlowFamily} reads
 * them. The ways' key, backend, check and table epoch are stored member by member, so a way's
 * fields are at {@code OFFSET_X + way * width}.
 */
public final class FlowStructs {

    private FlowStructs() {}

    /** struct sluice_flow4_key: an IPv4 client's address and port, and the VIP's tag. */
    public static final class Key4 {
        public static final int SIZE = 8;
        public static final int OFFSET_SRC = 0;
        public static final int OFFSET_SPORT = 4;
        public static final int OFFSET_VIP_TAG = 6;

        private Key4() {}
    }

    /** struct sluice_flow6_key: an IPv6 client's address and port, the VIP's tag, and zero pad. */
    public static final class Key6 {
        public static final int SIZE = 24;
        public static final int OFFSET_SRC = 0;
        public static final int OFFSET_SPORT = 16;
        public static final int OFFSET_VIP_TAG = 18;
        public static final int OFFSET_PAD = 20;

        private Key6() {}
    }

    /** struct sluice_flow4_bucket: one cache line. */
    public static final class Bucket4 {
        public static final int SIZE = 64;
        public static final int OFFSET_KEY = 0;
        public static final int OFFSET_BACKEND_ID = OFFSET_KEY + DataplaneAbi.FLOW_WAYS * Key4.SIZE;
        public static final int OFFSET_CHECK = OFFSET_BACKEND_ID + DataplaneAbi.FLOW_WAYS * Integer.BYTES;
        public static final int OFFSET_NEXT_VICTIM = OFFSET_CHECK + DataplaneAbi.FLOW_WAYS * Short.BYTES;
        public static final int OFFSET_TABLE_EPOCH = OFFSET_NEXT_VICTIM + Short.BYTES;
        public static final int OFFSET_PAD = OFFSET_TABLE_EPOCH + DataplaneAbi.FLOW_WAYS;

        private Bucket4() {}
    }

    /** struct sluice_flow6_bucket: two cache lines (ABI 10). */
    public static final class Bucket6 {
        public static final int SIZE = 128;
        public static final int OFFSET_KEY = 0;
        public static final int OFFSET_BACKEND_ID = OFFSET_KEY + DataplaneAbi.FLOW_WAYS * Key6.SIZE;
        public static final int OFFSET_CHECK = OFFSET_BACKEND_ID + DataplaneAbi.FLOW_WAYS * Integer.BYTES;
        public static final int OFFSET_NEXT_VICTIM = OFFSET_CHECK + DataplaneAbi.FLOW_WAYS * Short.BYTES;
        public static final int OFFSET_TABLE_EPOCH = OFFSET_NEXT_VICTIM + Short.BYTES;
        public static final int OFFSET_PAD = OFFSET_TABLE_EPOCH + DataplaneAbi.FLOW_WAYS;

        private Bucket6() {}
    }
}
