/*
 * vicisim's daemon state and its encoders; see sim_model.h.
 *
 * The field sets and their order follow charon 5.9.8's vici_query.c
 * (list_ike, list_child, list_conns, raise_policy, stats, version): keys that
 * charon adds only under a condition (nat-*, use-in, reauth-time, vips, ...)
 * are added here under the matching simulated condition, so a client sees
 * the same variety it would see from a real gateway.
 */
#include "sim/sim_model.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "vici/frame.h"
#include "vici/xmalloc.h"

#define IKE_REKEY 14400
#define IKE_REAUTH 10800
#define CHILD_REKEY 3600
#define CHILD_LIFE 3960

int64_t sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int64_t sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64: small, seedable, good enough for test content. */
uint64_t sim_rand(struct sim_model *m)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rand_below(struct sim_model *m, uint64_t n)
{
	return n ? sim_rand(m) % n : 0;
}

/* Hostile strings: terminal escapes, C1 controls, invalid UTF-8, very long. */
static char *hostile_string(unsigned kind, const char *tag, size_t long_len)
{
	char *s;

	switch (kind % 5) {
	case 0:
		return xasprintf("%s\x1b[2J\x1b]0;pwned\x07\x1b[31mred", tag);
	case 1:
		return xasprintf("%s-c1\xc2\x9b"
		                 "31m\x9b"
		                 "1m\x85\x8d-end",
		                 tag);
	case 2:
		return xasprintf("%s-bad\xff\xfe\xc0\xaf\xed\xa0\x80\xe2\x82-utf8", tag);
	case 3:
		s = xmalloc(long_len + 1);
		memset(s, 'L', long_len);
		memcpy(s, tag, strnlen(tag, long_len));
		s[long_len] = '\0';
		return s;
	default:
		return xasprintf("%s\ttab\nnewline\rcr\x7f\x08\x07"
		                 "bell",
		                 tag);
	}
}

struct proposal {
	const char *encr;
	unsigned encr_ks;
	const char *integ, *prf, *dh;
	const char *c_encr;
	unsigned c_ks;
	const char *c_integ, *c_dh;
	bool esn;
};

static const struct proposal proposals[] = {
        {"AES_GCM_16", 256, NULL, "PRF_HMAC_SHA2_256", "CURVE_25519", "AES_GCM_16", 256, NULL, NULL,
         false},
        {"AES_CBC", 256, "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256", "MODP_2048", "AES_CBC", 128,
         "HMAC_SHA2_256_128", "MODP_2048", false},
        {"AES_GCM_16", 128, NULL, "PRF_HMAC_SHA2_384", "ECP_384", "CHACHA20_POLY1305", 256, NULL,
         NULL, true},
        {"AES_CBC", 128, "HMAC_SHA1_96", "PRF_HMAC_SHA1", "MODP_1024", "AES_CBC", 128,
         "HMAC_SHA1_96", NULL, false}, /* the IKEv1 one */
};

static void child_install(struct sim_model *m, struct sim_ike *ike, struct sim_child *c,
                          int64_t installed)
{
	c->uniqueid = m->next_child_id++;
	c->spi_in = (uint32_t)sim_rand(m) | 0xc0000000u;
	c->spi_out = (uint32_t)sim_rand(m) | 0xc0000000u;
	c->installed = installed;
	c->rekey_at = installed + CHILD_REKEY - (int64_t)rand_below(m, CHILD_REKEY / 10);
	c->life_at = installed + CHILD_LIFE;
	c->cstate = SIM_CHILD_INSTALLED;
	c->down = false;
	/* a quarter of the tunnels are idle: charon then omits use-in/use-out */
	if (c->uniqueid % 4 == 0) {
		c->rate_in = c->rate_out = 0;
	} else {
		c->rate_in = 100 + (uint32_t)rand_below(m, 200000);
		c->rate_out = 100 + (uint32_t)rand_below(m, 50000);
	}
	c->pkt_size = (uint16_t)(64 + rand_below(m, 1400));
	(void)ike;
}

void sim_ike_touch(struct sim_ike *ike)
{
	ike->cache_len = 0; /* the buffer stays for the next encoding */
}

static void ike_cache_free(struct sim_ike *ike)
{
	free(ike->cache);
	ike->cache = NULL;
	ike->cache_len = ike->cache_cap = 0;
}

static void ike_new_spis(struct sim_model *m, struct sim_ike *ike)
{
	ike->spi_i = sim_rand(m);
	ike->spi_r = sim_rand(m);
}

static void ike_set_times(struct sim_model *m, struct sim_ike *ike, int64_t established)
{
	ike->established = established;
	if (ike->version == 1) {
		/* IKEv1 has no IKE rekeying: charon reauthenticates instead */
		ike->rekey_at = 0;
		ike->reauth_at = established + IKE_REAUTH - (int64_t)rand_below(m, IKE_REAUTH / 10);
	} else {
		ike->rekey_at = established + IKE_REKEY - (int64_t)rand_below(m, IKE_REKEY / 10);
		ike->reauth_at = 0;
	}
}

void sim_ike_establish(struct sim_model *m, struct sim_ike *ike, int64_t now)
{
	unsigned i;

	ike->uniqueid = m->next_ike_id++;
	ike->state = SIM_IKE_ESTABLISHED;
	ike->up_at = 0;
	ike_new_spis(m, ike);
	ike_set_times(m, ike, now);
	for (i = 0; i < m->o.children; i++)
		child_install(m, ike, &ike->child[i], now);
	sim_ike_touch(ike);
}

void sim_ike_rekey(struct sim_model *m, struct sim_ike *ike, int64_t now)
{
	/* charon creates a new IKE_SA object: new unique id and SPIs; the CHILD
	 * SAs move over unchanged */
	ike->uniqueid = m->next_ike_id++;
	ike_new_spis(m, ike);
	ike_set_times(m, ike, now);
	sim_ike_touch(ike);
}

void sim_child_rekey(struct sim_model *m, struct sim_ike *ike, struct sim_child *c, int64_t now)
{
	child_install(m, ike, c, now);
	sim_ike_touch(ike);
}

static void ike_slot_init(struct sim_model *m, struct sim_ike *ike, uint32_t conn, uint32_t peer)
{
	memset(ike, 0, sizeof(*ike));
	ike->conn = conn;
	ike->peer = peer;
	ike->child = xcalloc(m->o.children ? m->o.children : 1, sizeof(*ike->child));
	for (unsigned j = 0; j < m->o.children; j++) {
		ike->child[j].idx = (uint16_t)j;
		ike->child[j].reqid = peer * m->o.children + j + 1;
	}
	/* one SA in seven is IKEv1, the rest IKEv2 */
	ike->version = peer % 7 == 6 ? 1 : 2;
	ike->proposal = ike->version == 1 ? 3 : (uint8_t)(peer % 3);
	ike->initiator = peer % 2 == 0;
	ike->nat = peer % 5 == 1;
	ike->vip = peer % 4 == 3 && ike->version == 2;
	ike->state = SIM_IKE_DOWN;
}

struct sim_ike *sim_model_add(struct sim_model *m, uint32_t conn)
{
	if (m->nikes == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->ikes = xreallocarray(m->ikes, m->cap, sizeof(*m->ikes));
	}
	ike_slot_init(m, &m->ikes[m->nikes], conn, (uint32_t)m->nikes);
	return &m->ikes[m->nikes++];
}

int sim_model_init(struct sim_model *m, const struct sim_model_opts *o)
{
	int64_t now = sim_now();
	size_t i;

	memset(m, 0, sizeof(*m));
	m->o = *o;
	m->rng = o->seed;
	m->started_ms = sim_now_ms();
	m->wall_started = time(NULL);
	m->next_ike_id = 1;
	m->next_child_id = 1;
	m->nconns = o->conns ? o->conns : 1;
	m->conns = xcalloc(m->nconns, sizeof(*m->conns));
	for (i = 0; i < m->nconns; i++) {
		char tag[32];

		snprintf(tag, sizeof(tag), "conn%zu", i);
		if (o->hostile && i % 2 == 1)
			m->conns[i].name = hostile_string((unsigned)(i / 2), tag, 200);
		else
			m->conns[i].name = xstrdup(tag);
		m->conns[i].trap = i < 3;
	}
	m->child_names = xcalloc(o->children ? o->children : 1, sizeof(char *));
	for (i = 0; i < o->children; i++) {
		if (o->hostile && i == 1)
			m->child_names[i] = hostile_string(0, "net1", 0);
		else
			m->child_names[i] = xasprintf("net%zu", i);
	}
	m->local_id = xstrdup("gw.example.org");

	for (i = 0; i < o->ike; i++) {
		struct sim_ike *ike = sim_model_add(m, (uint32_t)(i % m->nconns));
		int64_t age = (int64_t)rand_below(m, 3000);

		sim_ike_establish(m, ike, now - age);
		for (unsigned j = 0; j < o->children; j++) {
			/* children rekeyed at different times than their IKE SA */
			int64_t cage = (int64_t)rand_below(m, (uint64_t)age + 1);
			struct sim_child *c = &ike->child[j];

			c->installed = now - cage;
			c->rekey_at = c->installed + CHILD_REKEY - (int64_t)rand_below(m, 360);
			c->life_at = c->installed + CHILD_LIFE;
		}
		ike->stuck = i < o->stuck;
	}
	for (i = 0; i < o->connecting; i++) {
		struct sim_ike *ike = sim_model_add(m, (uint32_t)(i % m->nconns));

		ike->uniqueid = m->next_ike_id++;
		ike->state = SIM_IKE_CONNECTING;
		ike->spi_i = sim_rand(m);
		ike->spi_r = 0;
		ike->initiator = true;
	}
	return 0;
}

void sim_model_free(struct sim_model *m)
{
	size_t i;

	for (i = 0; i < m->nikes; i++) {
		ike_cache_free(&m->ikes[i]);
		free(m->ikes[i].child);
	}
	free(m->ikes);
	for (i = 0; i < m->nconns; i++)
		free(m->conns[i].name);
	free(m->conns);
	for (i = 0; i < m->o.children; i++)
		free(m->child_names[i]);
	free(m->child_names);
	free(m->local_id);
	memset(m, 0, sizeof(*m));
}

size_t sim_model_count(const struct sim_model *m, size_t *half_open)
{
	size_t n = 0, h = 0;

	for (size_t i = 0; i < m->nikes; i++) {
		if (m->ikes[i].state == SIM_IKE_DOWN)
			continue;
		n++;
		if (m->ikes[i].state == SIM_IKE_CONNECTING)
			h++;
	}
	if (half_open)
		*half_open = h;
	return n;
}

/* --- encoding helpers: numbers without printf, the hot path of list-sas --- */

static size_t u64_text(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static void kv_u64(struct vici_builder *b, const char *name, uint64_t v)
{
	char buf[24];

	vici_builder_add(b, name, buf, u64_text(buf, v));
}

static void kv_i64(struct vici_builder *b, const char *name, int64_t v)
{
	char buf[24];
	size_t n = 0;

	if (v < 0) {
		buf[n++] = '-';
		n += u64_text(buf + n, (uint64_t)0 - (uint64_t)v);
	} else {
		n = u64_text(buf, (uint64_t)v);
	}
	vici_builder_add(b, name, buf, n);
}

static void kv_hex(struct vici_builder *b, const char *name, uint64_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16];

	for (unsigned i = 0; i < digits; i++)
		buf[digits - 1 - i] = hex[(v >> (4 * i)) & 0xf];
	vici_builder_add(b, name, buf, digits);
}

void sim_peer_addr(char *buf, size_t size, uint32_t peer)
{
	uint32_t a = peer + 1;

	snprintf(buf, size, "100.%u.%u.%u", 64 + ((a >> 16) & 63), (a >> 8) & 255, a & 255);
}

static char *remote_id(const struct sim_model *m, const struct sim_ike *ike)
{
	if (m->o.hostile && ike->peer % 3 == 0)
		return hostile_string(ike->peer / 3, "peer", 3000);
	return xasprintf("peer-%u@example.org", ike->peer);
}

void sim_ike_between(const struct sim_model *m, const struct sim_ike *ike, char *buf, size_t size)
{
	char addr[32],
	        *rid = ike->state == SIM_IKE_CONNECTING ? xstrdup("%any") : remote_id(m, ike);

	sim_peer_addr(addr, sizeof(addr), ike->peer);
	snprintf(buf, size, "192.0.2.1[%s]...%s[%s]", m->local_id, addr, rid);
	free(rid);
}

static void tasks(struct vici_builder *b)
{
	static const char *const active[] = {
	        "IKE_VENDOR", "IKE_INIT",      "IKE_NATD",     "IKE_CERT_PRE",
	        "IKE_AUTH",   "IKE_CERT_POST", "IKE_CONFIG",   "IKE_AUTH_LIFETIME",
	        "IKE_MOBIKE", "IKE_ESTABLISH", "CHILD_CREATE",
	};

	vici_builder_list_start(b, "tasks-queued");
	vici_builder_list_item_str(b, "CHILD_CREATE");
	vici_builder_list_end(b);
	vici_builder_list_start(b, "tasks-active");
	for (size_t i = 0; i < sizeof(active) / sizeof(active[0]); i++)
		vici_builder_list_item_str(b, active[i]);
	vici_builder_list_end(b);
}

void sim_encode_ike_fields(const struct sim_model *m, struct vici_builder *b,
                           const struct sim_ike *ike, int64_t now)
{
	const struct proposal *p = &proposals[ike->proposal];
	static const char *const states[] = {"CONNECTING", "ESTABLISHED", "REKEYING", "DELETING",
	                                     "DELETING"};
	char addr[32], *rid;

	kv_u64(b, "uniqueid", ike->uniqueid);
	kv_u64(b, "version", ike->version);
	vici_builder_add_str(b, "state", states[ike->state]);
	vici_builder_add_str(b, "local-host", "192.0.2.1");
	kv_u64(b, "local-port", ike->nat ? 4500 : 500);
	vici_builder_add_str(b, "local-id", m->local_id);
	sim_peer_addr(addr, sizeof(addr), ike->peer);
	vici_builder_add_str(b, "remote-host", addr);
	kv_u64(b, "remote-port", ike->nat ? 1024 + ike->peer % 60000 : 500);
	if (ike->state == SIM_IKE_CONNECTING) {
		vici_builder_add_str(b, "remote-id", "%any");
	} else {
		rid = remote_id(m, ike);
		vici_builder_add_str(b, "remote-id", rid);
		free(rid);
		if (ike->vip)
			vici_builder_add_fmt(b, "remote-eap-id", "user%u", ike->peer);
	}
	if (ike->initiator)
		vici_builder_add_str(b, "initiator", "yes");
	kv_hex(b, "initiator-spi", ike->spi_i, 16);
	kv_hex(b, "responder-spi", ike->spi_r, 16);
	if (ike->nat) {
		vici_builder_add_str(b, "nat-remote", "yes");
		vici_builder_add_str(b, "nat-any", "yes");
	}
	if (ike->state == SIM_IKE_CONNECTING) {
		tasks(b);
		return;
	}
	vici_builder_add_str(b, "encr-alg", p->encr);
	kv_u64(b, "encr-keysize", p->encr_ks);
	if (p->integ)
		vici_builder_add_str(b, "integ-alg", p->integ);
	vici_builder_add_str(b, "prf-alg", p->prf);
	vici_builder_add_str(b, "dh-group", p->dh);
	/* charon sends these in state ESTABLISHED only (not for the REKEYING
	 * old SA of an ike-rekey event, not for DELETING) */
	if (ike->state == SIM_IKE_ESTABLISHED) {
		kv_i64(b, "established", now - ike->established);
		if (ike->rekey_at)
			kv_i64(b, "rekey-time", ike->rekey_at - now);
		if (ike->reauth_at)
			kv_i64(b, "reauth-time", ike->reauth_at - now);
	}
	if (ike->vip) {
		vici_builder_list_start(b, "remote-vips");
		vici_builder_list_item_fmt(b, "10.10.%u.%u", (ike->peer >> 8) & 255,
		                           ike->peer & 255);
		vici_builder_list_end(b);
	}
}

void sim_child_ts(const struct sim_ike *ike, unsigned idx, char *local, size_t lsize, char *remote,
                  size_t rsize)
{
	snprintf(local, lsize, "10.%u.0.0/16", idx);
	if (ike->vip)
		snprintf(remote, rsize, "10.10.%u.%u/32", (ike->peer >> 8) & 255, ike->peer & 255);
	else
		snprintf(remote, rsize, "172.%u.%u.0/24", 16 + (ike->peer >> 8) % 16,
		         ike->peer & 255);
}

void sim_child_bytes(const struct sim_child *c, int64_t now, uint64_t *in, uint64_t *out)
{
	int64_t age = now - c->installed;

	if (age < 0)
		age = 0;
	*in = (uint64_t)c->rate_in * (uint64_t)age;
	*out = (uint64_t)c->rate_out * (uint64_t)age;
}

static void ts_lists(struct vici_builder *b, const struct sim_ike *ike, unsigned idx)
{
	char local[64], remote[64];

	sim_child_ts(ike, idx, local, sizeof(local), remote, sizeof(remote));
	vici_builder_list_start(b, "local-ts");
	vici_builder_list_item_str(b, local);
	vici_builder_list_end(b);
	vici_builder_list_start(b, "remote-ts");
	vici_builder_list_item_str(b, remote);
	vici_builder_list_end(b);
}

void sim_encode_child(const struct sim_model *m, struct vici_builder *b, const struct sim_ike *ike,
                      const struct sim_child *c, int64_t now)
{
	static const char *const cstates[] = {"INSTALLED", "REKEYED", "DELETED"};
	const struct proposal *p = &proposals[ike->proposal];
	int64_t age = now - c->installed;
	uint64_t in, out;

	if (age < 0)
		age = 0;
	vici_builder_add_str(b, "name", m->child_names[c->idx]);
	kv_u64(b, "uniqueid", c->uniqueid);
	kv_u64(b, "reqid", c->reqid);
	vici_builder_add_str(b, "state", cstates[c->cstate]);
	vici_builder_add_str(b, "mode", "TUNNEL");
	vici_builder_add_str(b, "protocol", "ESP");
	if (ike->nat)
		vici_builder_add_str(b, "encap", "yes");
	kv_hex(b, "spi-in", c->spi_in, 8);
	kv_hex(b, "spi-out", c->spi_out, 8);
	vici_builder_add_str(b, "encr-alg", p->c_encr);
	kv_u64(b, "encr-keysize", p->c_ks);
	if (p->c_integ)
		vici_builder_add_str(b, "integ-alg", p->c_integ);
	if (p->c_dh)
		vici_builder_add_str(b, "dh-group", p->c_dh);
	if (p->esn)
		vici_builder_add_str(b, "esn", "1");

	sim_child_bytes(c, now, &in, &out);
	kv_u64(b, "bytes-in", in);
	kv_u64(b, "packets-in", in / c->pkt_size);
	if (in)
		kv_u64(b, "use-in", (uint64_t)((now + c->uniqueid) % 3 % (age + 1)));
	kv_u64(b, "bytes-out", out);
	kv_u64(b, "packets-out", out / c->pkt_size);
	if (out)
		kv_u64(b, "use-out", (uint64_t)((now + c->reqid) % 4 % (age + 1)));
	kv_i64(b, "rekey-time", c->rekey_at - now);
	kv_i64(b, "life-time", c->life_at - now);
	kv_i64(b, "install-time", now - c->installed);
	ts_lists(b, ike, c->idx);
}

void sim_encode_ike(const struct sim_model *m, struct vici_builder *b, const struct sim_ike *ike,
                    int64_t now, bool with_children, const char *child_name, uint32_t child_id)
{
	char key[300];

	vici_builder_section_start(b, m->conns[ike->conn].name);
	sim_encode_ike_fields(m, b, ike, now);
	if (with_children) {
		vici_builder_section_start(b, "child-sas");
		for (unsigned j = 0; ike->state != SIM_IKE_CONNECTING && j < m->o.children; j++) {
			const struct sim_child *c = &ike->child[j];

			if (child_name && strcmp(child_name, m->child_names[c->idx]) != 0)
				continue;
			if (c->down || (child_id && child_id != c->uniqueid))
				continue;
			snprintf(key, sizeof(key), "%s-%u", m->child_names[c->idx], c->uniqueid);
			vici_builder_section_start(b, key);
			sim_encode_child(m, b, ike, c, now);
			vici_builder_section_end(b);
		}
		vici_builder_section_end(b);
	}
	vici_builder_section_end(b);
}

int sim_listsa_frame(struct sim_model *m, struct sim_ike *ike, int64_t now, const uint8_t **frame,
                     size_t *len)
{
	static const char name[] = "list-sa";
	struct vici_builder b;
	uint8_t *msg, *w;
	size_t mlen, payload;
	int err;

	if (ike->cache && ike->cache_len && ike->cache_sec == now && !m->o.no_cache) {
		m->cache_hits++;
		*frame = ike->cache;
		*len = ike->cache_len;
		return 0;
	}
	m->cache_misses++;
	vici_builder_init(&b);
	sim_encode_ike(m, &b, ike, now, true, NULL, 0);
	err = vici_builder_finish(&b, &msg, &mlen);
	if (err) {
		sim_ike_touch(ike);
		return err;
	}
	/* the frame is built here rather than by vici_packet_encode() so that
	 * the cache buffer is reused second after second instead of reallocated */
	payload = 1 + 1 + sizeof(name) - 1 + mlen;
	if (payload > VICI_FRAME_MAX) {
		free(msg);
		sim_ike_touch(ike);
		return -EMSGSIZE;
	}
	if (!ike->cache || ike->cache_cap < VICI_FRAME_HEADER + payload) {
		ike->cache_cap = VICI_FRAME_HEADER + payload + 64;
		free(ike->cache);
		ike->cache = xmalloc(ike->cache_cap);
	}
	w = ike->cache;
	*w++ = (uint8_t)(payload >> 24);
	*w++ = (uint8_t)(payload >> 16);
	*w++ = (uint8_t)(payload >> 8);
	*w++ = (uint8_t)payload;
	*w++ = VICI_EVENT;
	*w++ = sizeof(name) - 1;
	memcpy(w, name, sizeof(name) - 1);
	memcpy(w + sizeof(name) - 1, msg, mlen);
	free(msg);
	ike->cache_len = VICI_FRAME_HEADER + payload;
	ike->cache_sec = now;
	*frame = ike->cache;
	*len = ike->cache_len;
	return 0;
}

int sim_encode_version(uint8_t **msg, size_t *len)
{
	struct vici_builder b;
	struct utsname u;

	vici_builder_init(&b);
	vici_builder_add_str(&b, "daemon", "charon");
	vici_builder_add_str(&b, "version", "5.9.8");
	if (uname(&u) == 0) {
		vici_builder_add_str(&b, "sysname", u.sysname);
		vici_builder_add_str(&b, "release", u.release);
		vici_builder_add_str(&b, "machine", u.machine);
	}
	return vici_builder_finish(&b, msg, len);
}

/* strongSwan's %V: a delta in the largest unit that keeps it above 2. */
static void time_delta(char *buf, size_t size, int64_t delta)
{
	const char *unit = "second";

	if (delta < 0)
		delta = -delta;
	if (delta > 2 * 60 * 60 * 24) {
		delta /= 60 * 60 * 24;
		unit = "day";
	} else if (delta > 2 * 60 * 60) {
		delta /= 60 * 60;
		unit = "hour";
	} else if (delta > 2 * 60) {
		delta /= 60;
		unit = "minute";
	}
	snprintf(buf, size, "%lld %s%s", (long long)delta, unit, delta == 1 ? "" : "s");
}

/* charon computes uptime.since as time(NULL) - (time_monotonic() - uptime):
 * whole seconds of two clocks, so it is one second later whenever the wall
 * clock has passed a second boundary the monotonic one has not reached yet
 * (a 5.9.8 asked 12 times in a row said 13:58:04 seven times and 13:58:05
 * five times). Where in the second that happens is fixed for the life of the
 * daemon, so a client polling at a steady rate may keep seeing one value for
 * hours. vicisim flips it on a beat instead: 4/9 s each way (9/8 Hz), so any
 * steady poller meets both values within four polls, and 20 calls over two
 * seconds surely do. Returns 0 or 1, the seconds to add to the start. */
static int since_flip(const struct sim_model *m, int64_t now_ms)
{
	if (m->o.steady_since)
		return 0;
	return (int)((now_ms - m->started_ms) * 9 / 8 / 500 % 2);
}

int sim_encode_stats(const struct sim_model *m, int64_t now_ms, uint8_t **msg, size_t *len)
{
	static const char *const prio[] = {"critical", "high", "medium", "low"};
	static const char *const plugins[] = {
	        "charon",         "random",         "nonce", "x509",   "revocation",
	        "constraints",    "pubkey",         "pkcs1", "pem",    "openssl",
	        "kernel-netlink", "socket-default", "vici",  "updown", "counters",
	};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct vici_builder b;
	struct mallinfo2 mi = mallinfo2();
	char buf[64];
	/* whole seconds of monotonic uptime, as charon's %V of now - uptime */
	int64_t running = now_ms / 1000 - m->started_ms / 1000;
	time_t since = m->wall_started + since_flip(m, now_ms);
	struct tm tm;
	size_t half, total = sim_model_count(m, &half);

	vici_builder_init(&b);
	vici_builder_section_start(&b, "uptime");
	time_delta(buf, sizeof(buf), running);
	vici_builder_add_str(&b, "running", buf);
	localtime_r(&since, &tm);
	vici_builder_add_fmt(&b, "since", "%s %02d %02d:%02d:%02d %04d", months[tm.tm_mon],
	                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "workers");
	kv_u64(&b, "total", 16);
	kv_u64(&b, "idle", 11);
	vici_builder_section_start(&b, "active");
	for (int i = 0; i < 4; i++)
		kv_u64(&b, prio[i], i == 0 ? 4 : i == 1 ? 1 : 0);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "queues");
	for (int i = 0; i < 4; i++)
		kv_u64(&b, prio[i], 0);
	vici_builder_section_end(&b);
	kv_u64(&b, "scheduled", total * 3 + 2);
	vici_builder_section_start(&b, "ikesas");
	kv_u64(&b, "total", total);
	kv_u64(&b, "half-open", half);
	vici_builder_section_end(&b);
	vici_builder_list_start(&b, "plugins");
	for (size_t i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++)
		vici_builder_list_item_str(&b, plugins[i]);
	vici_builder_list_end(&b);
	vici_builder_section_start(&b, "mallinfo");
	kv_u64(&b, "sbrk", mi.arena);
	kv_u64(&b, "mmap", mi.hblkhd);
	kv_u64(&b, "used", mi.uordblks);
	kv_u64(&b, "free", mi.fordblks);
	vici_builder_section_end(&b);
	return vici_builder_finish(&b, msg, len);
}

static void auth_section(struct vici_builder *b, const char *name, const char *id)
{
	static const char *const lists[] = {"groups", "cert_policy", "certs", "cacerts"};

	vici_builder_section_start(b, name);
	vici_builder_add_str(b, "class", "pre-shared key");
	vici_builder_add_str(b, "id", id);
	for (size_t i = 0; i < 4; i++) {
		vici_builder_list_start(b, lists[i]);
		vici_builder_list_end(b);
	}
	vici_builder_section_end(b);
}

int sim_encode_conn(const struct sim_model *m, size_t i, uint8_t **msg, size_t *len)
{
	struct vici_builder b;
	bool v1 = i % 7 == 6;

	vici_builder_init(&b);
	vici_builder_section_start(&b, m->conns[i].name);
	vici_builder_list_start(&b, "local_addrs");
	vici_builder_list_item_str(&b, "192.0.2.1");
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote_addrs");
	vici_builder_list_item_str(&b, "%any");
	vici_builder_list_end(&b);
	vici_builder_add_str(&b, "version", v1 ? "IKEv1" : "IKEv2");
	kv_u64(&b, "reauth_time", v1 ? IKE_REAUTH : 0);
	kv_u64(&b, "rekey_time", v1 ? 0 : IKE_REKEY);
	vici_builder_add_str(&b, "unique", "UNIQUE_NO");
	kv_u64(&b, "dpd_delay", 30);
	auth_section(&b, "local-1", m->local_id);
	auth_section(&b, "remote-1", "%any");
	vici_builder_section_start(&b, "children");
	for (unsigned j = 0; j < m->o.children; j++) {
		vici_builder_section_start(&b, m->child_names[j]);
		vici_builder_add_str(&b, "mode", "TUNNEL");
		kv_u64(&b, "rekey_time", CHILD_REKEY);
		kv_u64(&b, "rekey_bytes", 0);
		kv_u64(&b, "rekey_packets", 0);
		vici_builder_add_str(&b, "dpd_action", "none");
		vici_builder_add_str(&b, "close_action", "none");
		vici_builder_list_start(&b, "local-ts");
		vici_builder_list_item_fmt(&b, "10.%u.0.0/16", j);
		vici_builder_list_end(&b);
		vici_builder_list_start(&b, "remote-ts");
		vici_builder_list_item_str(&b, "dynamic");
		vici_builder_list_end(&b);
		vici_builder_section_end(&b);
	}
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	return vici_builder_finish(&b, msg, len);
}

int sim_encode_policy(const struct sim_model *m, size_t i, unsigned j, uint8_t **msg, size_t *len)
{
	struct vici_builder b;
	char key[512];

	snprintf(key, sizeof(key), "%s/%s", m->conns[i].name, m->child_names[j]);
	vici_builder_init(&b);
	vici_builder_section_start(&b, key);
	vici_builder_add_str(&b, "child", m->child_names[j]);
	vici_builder_add_str(&b, "ike", m->conns[i].name);
	vici_builder_add_str(&b, "mode", "TUNNEL");
	vici_builder_list_start(&b, "local-ts");
	vici_builder_list_item_fmt(&b, "10.%u.0.0/16", j);
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote-ts");
	vici_builder_list_item_fmt(&b, "192.168.%zu.0/24", 100 + i);
	vici_builder_list_end(&b);
	vici_builder_section_end(&b);
	return vici_builder_finish(&b, msg, len);
}

int sim_encode_shunt(uint8_t **msg, size_t *len)
{
	struct vici_builder b;

	vici_builder_init(&b);
	vici_builder_section_start(&b, "bypass-lan");
	vici_builder_add_str(&b, "child", "bypass-lan");
	vici_builder_add_str(&b, "mode", "PASS");
	vici_builder_list_start(&b, "local-ts");
	vici_builder_list_item_str(&b, "192.168.0.0/16");
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote-ts");
	vici_builder_list_item_str(&b, "192.168.0.0/16");
	vici_builder_list_end(&b);
	vici_builder_section_end(&b);
	return vici_builder_finish(&b, msg, len);
}

void sim_log_message(struct sim_model *m, char *buf, size_t size, const struct sim_ike *ike)
{
	static const char *const plain[] = {
	        "sending DPD request",
	        "received DPD response",
	        "generating INFORMATIONAL request 12 [ ]",
	        "parsed INFORMATIONAL response 12 [ ]",
	        "sending packet: from 192.0.2.1[4500] to 100.64.0.9[4500] (80 bytes)",
	        "received packet: from 100.64.0.9[4500] to 192.0.2.1[4500] (80 bytes)",
	};
	uint64_t r = sim_rand(m);

	if (m->o.hostile && r % 4 == 0) {
		char *h = hostile_string((unsigned)(r >> 8), "log", 3000);

		snprintf(buf, size, "%s", h);
		free(h);
		return;
	}
	snprintf(buf, size, "%s", plain[(r >> 8) % (sizeof(plain) / sizeof(plain[0]))]);
	(void)ike;
}
