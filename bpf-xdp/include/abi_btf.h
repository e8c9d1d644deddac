/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Puts the ABI enums into the object's BTF (the structs get there as map key and
 * value types), and the one ABI struct no map is typed by: struct sluice_flow_key, the
 * flow hash's bytes (since ABI 10 no table stores it whole). The Java side checks these
 * against its own mirror, so they must be present. Costs one tiny read-only data
 * section; the programs never read it.
 */
#ifndef SLUICE_ABI_BTF_H
#define SLUICE_ABI_BTF_H

#include "common.h"

struct sluice_abi_enums {
	enum sluice_reason reason;
	enum sluice_decap_reason decap_reason;
	struct sluice_flow_key flow_key;
};

const volatile struct sluice_abi_enums sluice_abi_enums = {
	.reason = SLUICE_REASON_MAX,
	.decap_reason = SLUICE_DECAP_REASON_MAX,
};

#endif /* SLUICE_ABI_BTF_H */
