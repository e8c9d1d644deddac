package io.sluice.lb.dataplane;

/** Where the flow cache sends an established flow: the backend and the VIP it was chosen for. */
public record FlowEntry(int backendId, int vipId) {
}
