/*
 * list-sa event bodies in charon 5.9.8's layout; see listsa-gen.h. The key
 * order below follows list_ike() and list_child() line by line, including
 * which keys are conditional, because the model and the JSON output must
 * cope with exactly what charon sends.
 */
#include "tools/listsa-gen.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

/* splitmix64: cheap, deterministic "random" values per index and field. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rnd(unsigned index, unsigned field)
{
	return mix((uint64_t)index << 16 | field);
}

static void gen_child(struct vici_builder *b, unsigned index, unsigned c, unsigned nchild, bool nat)
{
	static const char *const names[] = {"lan", "dmz", "voice", "mgmt"};
	unsigned uid = index * nchild + c + 1;
	unsigned salt = 100 + c * 20;
	const char *name = names[c % 4];
	bool gcm = (index + c) % 4 != 3;
	uint64_t pk_in = rnd(index, salt + 1) % 5000000;
	uint64_t pk_out = rnd(index, salt + 2) % 5000000;
	char sec[64];

	snprintf(sec, sizeof(sec), "%s-%u", name, uid);
	vici_builder_section_start(b, sec);
	vici_builder_add_str(b, "name", name);
	vici_builder_add_fmt(b, "uniqueid", "%u", uid);
	vici_builder_add_fmt(b, "reqid", "%u", uid);
	vici_builder_add_str(b, "state", "INSTALLED");
	vici_builder_add_str(b, "mode", "TUNNEL");
	/* list_child_ipsec() */
	vici_builder_add_str(b, "protocol", "ESP");
	if (nat)
		vici_builder_add_str(b, "encap", "yes");
	vici_builder_add_fmt(b, "spi-in", "%.8x", (unsigned)rnd(index, salt + 3) | 0xc0000000u);
	vici_builder_add_fmt(b, "spi-out", "%.8x", (unsigned)rnd(index, salt + 4) | 0xc0000000u);
	if (gcm) {
		vici_builder_add_str(b, "encr-alg", "AES_GCM_16");
		vici_builder_add_fmt(b, "encr-keysize", "%u", 256);
	} else {
		vici_builder_add_str(b, "encr-alg", "AES_CBC");
		vici_builder_add_fmt(b, "encr-keysize", "%u", 128);
		vici_builder_add_str(b, "integ-alg", "HMAC_SHA2_256_128");
	}
	if (index % 3 == 0)
		vici_builder_add_str(b, "dh-group", "CURVE_25519"); /* PFS */
	/* list_child_stats() */
	vici_builder_add_fmt(b, "bytes-in", "%" PRIu64, pk_in * (64 + rnd(index, salt + 5) % 1400));
	vici_builder_add_fmt(b, "packets-in", "%" PRIu64, pk_in);
	if (pk_in)
		vici_builder_add_fmt(b, "use-in", "%" PRIu64, rnd(index, salt + 6) % 60);
	vici_builder_add_fmt(b, "bytes-out", "%" PRIu64,
	                     pk_out * (64 + rnd(index, salt + 7) % 1400));
	vici_builder_add_fmt(b, "packets-out", "%" PRIu64, pk_out);
	if (pk_out)
		vici_builder_add_fmt(b, "use-out", "%" PRIu64, rnd(index, salt + 8) % 60);
	uint64_t installed = rnd(index, salt + 9) % 3000;
	vici_builder_add_fmt(b, "rekey-time", "%" PRId64, (int64_t)(3060 - installed));
	vici_builder_add_fmt(b, "life-time", "%" PRId64, (int64_t)(3960 - installed));
	vici_builder_add_fmt(b, "install-time", "%" PRId64, (int64_t)installed);
	/* list_child() */
	vici_builder_list_start(b, "local-ts");
	vici_builder_list_item_fmt(b, "192.168.%u.0/24", c);
	vici_builder_list_end(b);
	vici_builder_list_start(b, "remote-ts");
	vici_builder_list_item_fmt(b, "10.%u.%u.0/24", (index >> 8) & 0xff, index & 0xff);
	if (c == 0)
		vici_builder_list_item_fmt(b, "fd00:%x:%x::/48", index >> 16, index & 0xffff);
	vici_builder_list_end(b);
	vici_builder_section_end(b);
}

void listsa_gen_ike(struct vici_builder *b, unsigned index, unsigned nchild)
{
	bool nat = index % 5 == 2;
	bool aead = index % 3 != 0;
	char name[32];

	snprintf(name, sizeof(name), "gw-%u", index);
	vici_builder_section_start(b, name);
	/* list_ike() */
	vici_builder_add_fmt(b, "uniqueid", "%u", index + 1);
	vici_builder_add_fmt(b, "version", "%u", 2);
	vici_builder_add_str(b, "state", "ESTABLISHED");
	vici_builder_add_str(b, "local-host", "192.0.2.1");
	vici_builder_add_fmt(b, "local-port", "%d", nat ? 4500 : 500);
	vici_builder_add_str(b, "local-id", "C=DE, O=Example, CN=gw.example.org");
	vici_builder_add_fmt(b, "remote-host", "198.51.%u.%u", (index >> 8) & 0xff, index & 0xff);
	vici_builder_add_fmt(b, "remote-port", "%d",
	                     nat ? (int)(1024 + rnd(index, 1) % 60000) : 500);
	vici_builder_add_fmt(b, "remote-id", "C=DE, O=Example, CN=peer-%u.example.org", index);
	if (index % 2 == 0)
		vici_builder_add_str(b, "initiator", "yes");
	vici_builder_add_fmt(b, "initiator-spi", "%.16" PRIx64, rnd(index, 2));
	vici_builder_add_fmt(b, "responder-spi", "%.16" PRIx64, rnd(index, 3));
	if (nat) {
		vici_builder_add_str(b, "nat-remote", "yes");
		vici_builder_add_str(b, "nat-any", "yes");
	}
	if (aead) {
		vici_builder_add_str(b, "encr-alg", "AES_GCM_16");
		vici_builder_add_fmt(b, "encr-keysize", "%u", 256);
	} else {
		vici_builder_add_str(b, "encr-alg", "AES_CBC");
		vici_builder_add_fmt(b, "encr-keysize", "%u", 256);
		vici_builder_add_str(b, "integ-alg", "HMAC_SHA2_256_128");
	}
	vici_builder_add_str(b, "prf-alg", "PRF_HMAC_SHA2_256");
	vici_builder_add_str(b, "dh-group", "CURVE_25519");
	uint64_t est = rnd(index, 4) % 14000;
	vici_builder_add_fmt(b, "established", "%" PRId64, (int64_t)est);
	vici_builder_add_fmt(b, "rekey-time", "%" PRId64, (int64_t)(14400 - est));
	if (index % 7 == 0)
		vici_builder_add_fmt(b, "reauth-time", "%" PRId64, (int64_t)(28800 - est));
	if (index % 4 == 1) {
		vici_builder_list_start(b, "remote-vips");
		vici_builder_list_item_fmt(b, "10.99.%u.%u", (index >> 8) & 0xff, index & 0xff);
		vici_builder_list_end(b);
	}
	vici_builder_section_start(b, "child-sas");
	for (unsigned c = 0; c < nchild; c++)
		gen_child(b, index, c, nchild, nat);
	vici_builder_section_end(b);
	vici_builder_section_end(b);
}

int listsa_gen_message(unsigned index, unsigned nchild, uint8_t **msg, size_t *len)
{
	struct vici_builder b;
	vici_builder_init(&b);
	listsa_gen_ike(&b, index, nchild);
	return vici_builder_finish(&b, msg, len);
}
