/*
 * charon's own words: the log messages that explain why an IKE or CHILD SA
 * did not come up, as strongSwan 5.9.x writes them (IKEv2 tasks ike_init,
 * ike_auth, child_create, child_delete, ike_delete, ike_rekey,
 * child_rekey; IKEv1 main_mode, aggressive_mode, quick_mode, phase1,
 * informational, isakmp_delete, quick_delete, xauth; the task managers'
 * retransmits; ike_sa.c; the authenticators; credential and kernel
 * plugins), plus the lines around them that make good evidence.
 *
 * Only level 0 and 1 lines matter: the log and control-log events carry no
 * others. A few failure lines come in a successful negotiation too (a
 * responder logs "received proposals"/"configured proposals" for every
 * config it tries before one matches), so those are context, never a
 * verdict on their own.
 *
 * The table is searched in order, first match wins: specific patterns
 * before general ones.
 */
#include "model/diag_rules.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ---- the table ---------------------------------------------------------- */

#define CTX(p)                                                                                     \
	{                                                                                          \
		p, R_CTX, DIAG_NONE, DIAG_SIDE_UNKNOWN, DIAG_LAYER_IKE, NULL, NULL                 \
	}
#define KIND(p, k)                                                                                 \
	{                                                                                          \
		p, k, DIAG_NONE, DIAG_SIDE_UNKNOWN, DIAG_LAYER_IKE, NULL, NULL                     \
	}
#define V(p, code, side, layer, detail, next)                                                      \
	{                                                                                          \
		p, R_VERDICT, code, side, layer, detail, next                                      \
	}

static const char PSK_NEXT[] =
        "the pre-shared keys differ: compare the secrets for these identities on both sides";
static const char CERT_NEXT[] = "check the peer's certificate chain against our CA "
                                "certificates and the identity constraints of {conn|the "
                                "connection} (swanctl --list-certs)";

static const struct diag_rule rules[] = {
        /* -- proposals -- */
        KIND("received proposals: *", R_THEIRS),
        KIND("configured proposals: *", R_OURS),
        KIND("selected proposal: *", R_SELECTED),
        CTX("no matching proposal found, trying alternative config"),
        KIND("received proposals unacceptable", R_NOPROP),
        KIND("no acceptable proposal found", R_NOPROP),
        V("no proposal found", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "none of the peer's IKE proposals matches ours (Main/Aggressive Mode)", NULL),
        V("no matching proposal found, sending *", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD, "none of the peer's Quick Mode proposals matches ours (sent $1)", NULL),
        V("no matching proposal found", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD,
          "the peer's Quick Mode answer matches none of our proposals", NULL),
        V("no IKE config found for *...*, sending *", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE, "no connection here is configured for $2 -> $1 (sent $3)",
          "add a connection whose local_addrs/remote_addrs cover $1 and $2, or check the "
          "peer's remote_addrs"),
        V("configured DH group * not supported", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "our configured DH group $1 is not supported by this charon",
          "choose a key exchange method this charon's plugins support (swanctl "
          "--list-algs)"),
        V("requested DH group * not supported", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the DH group $1 the peer requested is not supported here",
          "choose a key exchange method both sides support"),
        V("requested DH group * not contained in any of our proposals", DIAG_NO_PROPOSAL,
          DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD,
          "the peer requested DH group $1, which none of "
          "our ESP proposals contains",
          NULL),
        V("peers proposal selection invalid", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the proposal the peer selected is not one we offered", NULL),
        V("peer DH group selection invalid", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the DH group the peer selected is not one we offered", NULL),
        V("* mode requested by responder is unacceptable", DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD, "the responder chose $1 mode, which we do not accept",
          "configure the same mode (tunnel/transport) on both sides"),

        /* -- traffic selectors -- */
        {"traffic selectors * === * unacceptable", R_VERDICT, DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL,
         DIAG_LAYER_CHILD,
         "the peer asked for $1 === $2 (ours === theirs), which matches none of our "
         "CHILD configs",
         NULL},
        V("no acceptable traffic selectors found", DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD, "the traffic selectors the peer answered with do not fit ours", NULL),
        V("no matching CHILD_SA config found for * === *", DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD,
          "the peer asked for $1 === $2 (theirs === ours), which matches none of our CHILD "
          "configs (Quick Mode)",
          NULL),
        V("peer selected invalid traffic selectors: *", DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD, "the peer selected traffic selectors we did not offer: $1", NULL),
        V("* traffic selector missing in configuration", DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD,
          "the $1 traffic selector is missing in our "
          "configuration",
          NULL),

        /* -- authentication -- */
        V("tried * shared key* for '*' - '*', but MAC mismatched", DIAG_AUTH_FAILED,
          DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the peer's AUTH does not verify with our pre-shared key for '$3' - '$4' "
          "(tried $1)",
          "the pre-shared keys differ: compare the secret for '$3' - '$4' on both sides"),
        V("no shared key found for '*'*- '*'*", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "there is no pre-shared key here for '$1' - '$3'",
          "add a secret for '$1' - '$3' (secrets { ike-... { id = ... } }) and load it"),
        V("no shared key found for * - *", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "there is no pre-shared key here for $1 - $2",
          "add a secret for these peers and load it (swanctl --load-creds)"),
        V("calculated HASH does not match HASH payload", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE, "the peer's HASH does not verify (IKEv1: pre-shared keys differ?)",
          PSK_NEXT),
        KIND("looking for peer configs matching *[*]...*[*]", R_PEERCFG),
        KIND("looking for * peer configs matching *...*[*]", R_PEERCFG1),
        V("no matching peer config found", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "no connection here accepts {peer_id|the peer's identity} from "
          "{peer|the peer} (we answered AUTHENTICATION_FAILED)",
          "add a connection for {peer_id|that identity} (remote.id, remote_addrs), or "
          "correct the identities on the peer"),
        V("no peer config found", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "no connection here accepts {peer_id|the peer's identity} from {peer|the peer}",
          "add a connection for that identity (remote.id, remote_addrs, auth), or correct "
          "the peer"),
        V("found * matching config*, but none allows * authentication using * Mode",
          DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "$1 connection(s) match the peer, but none allows $3 authentication in $4 Mode",
          "configure the same authentication method (and aggressive = yes|no) on both "
          "sides"),
        V("received IDr *, but require *", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the peer identified as $1, but we require $2",
          "set remote.id of {conn|the connection} to the peer's identity, or fix the peer's "
          "local.id"),
        V("IDir '*' does not match to '*'", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the peer identified as '$1', but we require '$2'",
          "set remote.id of {conn|the connection} to the peer's identity, or fix the peer's "
          "local.id"),
        CTX("selected peer config '*' unacceptable: *"),
        V("no alternative config found", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the selected connection does not accept how the peer authenticated, and no "
          "other one does",
          CERT_NEXT),
        V("constraint check failed: *", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the peer's credentials fail a constraint: $1", CERT_NEXT),
        V("constraint requires *", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the peer's credentials fail a constraint: requires $1", CERT_NEXT),
        V("no trusted * public key found for '*'", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE,
          "no trusted $1 public key for '$2': the peer's certificate does not "
          "chain to a CA we trust, or it is not valid",
          CERT_NEXT),
        CTX("* certificate invalid (valid from * to *)"),
        CTX("certificate was revoked on *"),
        CTX("no issuer certificate found for *"),
        CTX("reached end of incomplete trust chain for *"),
        CTX("signature validation failed, looking for another key"),
        V("no private key found for '*'", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "there is no private key for our certificate '$1'",
          "load the private key of our certificate (swanctl --load-creds; swanctl "
          "--list-certs shows 'has private key')"),
        V("authentication of '*' (myself) failed", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE, "we could not sign our own AUTH as '$1'",
          "check our private key and signature scheme settings"),
        V("XAuth authentication of '*' (myself) failed", DIAG_AUTH_FAILED, DIAG_SIDE_PEER,
          DIAG_LAYER_IKE, "the peer rejected our XAuth credentials as '$1'",
          "check the XAuth user name and password on both sides"),
        V("XAuth authentication of '*' failed", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the XAuth credentials of '$1' were rejected here",
          "check the XAuth user name and password on both sides"),
        V("received EAP_FAILURE, EAP authentication failed", DIAG_AUTH_FAILED, DIAG_SIDE_PEER,
          DIAG_LAYER_IKE, "the EAP server rejected our credentials",
          "check the EAP identity and secret on both sides"),
        V("EAP method * failed for peer *", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "EAP method $1 failed for $2", "check the EAP identity and secret on both sides"),
        V("peer requested EAP, config unacceptable", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE, "the peer wants EAP, which {conn|the connection} does not allow",
          "configure the same authentication rounds on both sides"),
        V("canceling * due to uniqueness policy", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "refused by our uniqueness policy (unique = keep): an SA for that "
          "identity exists",
          "terminate the existing SA or change unique in {conn|the connection}"),
        V("*authorization hook forbids IKE_SA, canceling", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE, "an authorization hook refused the IKE SA",
          "check the groups and authorization settings of {conn|the connection}"),
        V("authorization forbids IKE_SA, canceling", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_IKE, "the authorization rules of {conn|the connection} refused the peer",
          "check remote.groups and the certificate policies of {conn|the connection}"),
        V("PPK required but *", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "PPK required but $1", "configure the same PPK on both sides"),
        V("received PPK_ID '*', but require '*'", DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the peer uses PPK_ID '$1', we require '$2'", "configure the same PPK on both sides"),
        V("destroying IKE_SA after failed XAuth authentication", DIAG_AUTH_FAILED,
          DIAG_SIDE_UNKNOWN, DIAG_LAYER_IKE, "XAuth authentication failed", NULL),

        /* -- notifies from the peer -- */
        KIND("received * notify, no CHILD_SA built", R_NOTIFY_CHILD),
        CTX("received * notify, will retry later"),
        KIND("received * notify error", R_NOTIFY),
        KIND("received * error notify", R_NOTIFY),

        /* -- unreachable, dead -- */
        KIND("giving up after * retransmits", R_GIVING_UP),
        V("giving up after * path probings", DIAG_DPD_DEAD, DIAG_SIDE_PEER, DIAG_LAYER_IKE,
          "MOBIKE path probing: no path to {peer|the peer} works (gave up after $1)", NULL),
        KIND("peer not responding, trying again (*/*)", R_RETRY),
        V("establishing IKE_SA failed, peer not responding", DIAG_PEER_UNREACHABLE, DIAG_SIDE_PEER,
          DIAG_LAYER_IKE,
          "{peer|the peer} never answered: IKE SA not "
          "established",
          NULL),
        V("DPD check timed out, enforcing DPD action", DIAG_DPD_DEAD, DIAG_SIDE_PEER,
          DIAG_LAYER_IKE, "{peer|the peer} stopped answering DPD (IKEv1 dpd_timeout)", NULL),
        V("rekeying IKE_SA failed, peer not responding", DIAG_REKEY_FAILED, DIAG_SIDE_PEER,
          DIAG_LAYER_IKE, "{peer|the peer} did not answer the IKE rekeying", NULL),
        CTX("retransmit * of request with message ID *"),
        CTX("sending retransmit * of * message ID *, seq *"),
        KIND("sending DPD request", R_DPD),
        CTX("proper IKE_SA delete failed, peer not responding"),

        /* -- deletes, rekeys -- */
        KIND("received DELETE for IKE_SA *[*]", R_DEL_IKE),
        KIND("received DELETE for * CHILD_SA with SPI *", R_DEL_CHILD),
        KIND("closing CHILD_SA *{*} with SPIs *", R_CLOSE_CHILD),
        KIND("IKE_SA *[*] rekeyed between *", R_REKEYED),
        V("IKE_SA rekeying failed, trying again in * seconds", DIAG_REKEY_FAILED, DIAG_SIDE_UNKNOWN,
          DIAG_LAYER_IKE, "IKE rekeying failed; charon retries in $1 s", NULL),
        V("CHILD_SA rekeying failed, trying again in * seconds", DIAG_REKEY_FAILED,
          DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, "CHILD rekeying failed; charon retries in $1 s",
          NULL),
        V("peer didn't find the CHILD_SA we tried to rekey", DIAG_REKEY_FAILED, DIAG_SIDE_PEER,
          DIAG_LAYER_CHILD, "the peer does not know the CHILD SA we rekeyed", NULL),
        V("reauthenticating IKE_SA failed", DIAG_REKEY_FAILED, DIAG_SIDE_UNKNOWN, DIAG_LAYER_IKE,
          "reauthentication of the IKE SA failed", NULL),
        CTX("peer seems to not support * rekeying, starting reauthentication"),
        CTX("unable to reauthenticate IKE_SA, no CHILD_SA to recreate"),

        /* -- the kernel -- */
        V("unable to install * in kernel", DIAG_INSTALL_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD,
          "the kernel refused to install $1", NULL),
        V("unable to allocate SPIs from kernel", DIAG_INSTALL_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD, "the kernel did not hand out SPIs", NULL),
        V("allocating SPI from kernel failed", DIAG_INSTALL_FAILED, DIAG_SIDE_LOCAL,
          DIAG_LAYER_CHILD, "the kernel did not hand out an SPI", NULL),
        V("installing virtual IP * failed", DIAG_INSTALL_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE,
          "the virtual IP $1 could not be installed", NULL),
        CTX("unable to add SAD entry with SPI *"),
        CTX("unable to add policy *"),
        CTX("algorithm * not supported by kernel!"),
        CTX("installing route failed: *"),

        /* -- the course of an attempt (evidence) -- */
        KIND("initiating IKE_SA *[*] to *", R_INIT_I),
        KIND("initiating Main Mode IKE_SA *[*] to *", R_INIT_I),
        KIND("initiating Aggressive Mode IKE_SA *[*] to *", R_INIT_I),
        KIND("* is initiating an IKE_SA", R_INIT_R),
        KIND("authentication of '*' (myself) with *", R_MYSELF),
        KIND("authentication of '*' with * successful", R_PEER_AUTH),
        KIND("* is initiating a Main Mode IKE_SA", R_INIT_R),
        KIND("* is initiating a Aggressive Mode IKE_SA", R_INIT_R),
        KIND("establishing CHILD_SA *{*}*", R_CHILD_START),
        KIND("failed to establish CHILD_SA, keeping IKE_SA", R_CHILD_END),
        KIND("CHILD_SA *{*} established with SPIs *", R_CHILD_END),
        KIND("IKE_SA *[*] established between *", R_ESTABLISHED),
        CTX("closing IKE_SA due CHILD_SA setup failure"),
        CTX("selected peer config '*'"),
        CTX("parsed IKE_SA_INIT response * [ N(*) ]"),
        CTX("parsed IKE_AUTH response * [ N(*) ]"),
        CTX("parsed CREATE_CHILD_SA response * [ N(*) ]"),
        CTX("parsed INFORMATIONAL_V1 request * [ N(*) ]"),
        CTX("destroying IKE_SA in state * without notification"),
};

#undef CTX
#undef KIND
#undef V

/* ---- matching ------------------------------------------------------------ */

/* Glob with '*': the classic matcher that backtracks only to the last star,
 * O(pattern x text) whatever the text holds (peer identities in charon's
 * lines are the peer's choice). Earlier stars keep their shortest extent,
 * so a capture ends where the next literal first fits; caps[k] gets the
 * k-th star's text. */
static bool glob(const char *p, const char *s, const char *end, struct model_str *caps)
{
	const char *star_p = NULL, *star_s = NULL;
	const char *start[DIAG_CAPS];
	size_t len[DIAG_CAPS];
	unsigned k = 0, star_k = 0;
	for (;;) {
		if (*p == '*') {
			if (k < DIAG_CAPS)
				start[k] = s, len[k] = 0;
			star_k = k++;
			star_p = ++p;
			star_s = s;
		} else if (*p && s < end && *p == *s) {
			p++;
			s++;
		} else if (!*p && s == end) {
			break;
		} else if (star_p && star_s < end) {
			s = ++star_s;
			p = star_p;
			k = star_k + 1;
			if (star_k < DIAG_CAPS)
				len[star_k]++;
		} else {
			return false;
		}
	}
	for (unsigned i = 0; i < k && i < DIAG_CAPS; i++)
		caps[i] = (struct model_str){start[i], (uint32_t)len[i]};
	return true;
}

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

/* The longest literal run of each pattern: a line without it cannot match,
 * and a search for it says so faster than the glob (most lines match nothing). */
static struct {
	const char *s;
	size_t len;
} keys[N_RULES];

static void keys_init(void)
{
	for (size_t i = 0; i < N_RULES; i++) {
		const char *p = rules[i].pat;
		while (*p) {
			size_t n = strcspn(p, "*");
			if (n > keys[i].len)
				keys[i].s = p, keys[i].len = n;
			p += n + (p[n] == '*');
		}
	}
}

/* memmem() is not POSIX */
static bool has_lit(const char *s, size_t len, const char *lit, size_t n)
{
	const char *end = s + len;
	while (n && (size_t)(end - s) >= n) {
		const char *c = memchr(s, lit[0], (size_t)(end - s) - n + 1);
		if (!c)
			return false;
		if (!memcmp(c, lit, n))
			return true;
		s = c + 1;
	}
	return n == 0;
}

bool diag_rule_match(struct model_str msg, struct diag_match *m)
{
	if (!keys[0].s)
		keys_init();
	const char *s = msg.s, *end = msg.s + msg.len;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (size_t i = 0; i < N_RULES; i++) {
		const char *p = rules[i].pat;
		if (*p != '*' && (s == end || *p != *s))
			continue;
		if (!has_lit(s, (size_t)(end - s), keys[i].s, keys[i].len))
			continue;
		for (unsigned k = 0; k < DIAG_CAPS; k++)
			m->cap[k] = (struct model_str){"", 0};
		if (glob(p, s, end, m->cap)) {
			m->rule = &rules[i];
			return true;
		}
	}
	return false;
}

enum diag_code diag_notify_code(struct model_str n, enum diag_layer *layer)
{
	static const struct {
		const char *name;
		enum diag_code code;
		enum diag_layer layer;
	} map[] = {
	        {"NO_PROPOSAL_CHOSEN", DIAG_NO_PROPOSAL, DIAG_LAYER_AUTO},
	        {"AUTHENTICATION_FAILED", DIAG_AUTH_FAILED, DIAG_LAYER_IKE},
	        {"INVALID_HASH_INFORMATION", DIAG_AUTH_FAILED, DIAG_LAYER_IKE},
	        {"INVALID_SIGNATURE", DIAG_AUTH_FAILED, DIAG_LAYER_IKE},
	        {"TS_UNACCEPTABLE", DIAG_TS_UNACCEPTABLE, DIAG_LAYER_CHILD},
	        {"INVALID_SELECTORS", DIAG_TS_UNACCEPTABLE, DIAG_LAYER_CHILD},
	        {"SINGLE_PAIR_REQUIRED", DIAG_TS_UNACCEPTABLE, DIAG_LAYER_CHILD},
	        /* IKEv1: a bad ID in Main Mode, bad selectors in Quick Mode */
	        {"INVALID_ID_INFORMATION", DIAG_TS_UNACCEPTABLE, DIAG_LAYER_AUTO},
	        /* part of a normal exchange, retried by charon */
	        {"INVALID_KE_PAYLOAD", DIAG_NONE, DIAG_LAYER_IKE},
	        {"TEMPORARY_FAILURE", DIAG_NONE, DIAG_LAYER_IKE},
	        {"COOKIE", DIAG_NONE, DIAG_LAYER_IKE},
	        {"REDIRECT", DIAG_NONE, DIAG_LAYER_IKE},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (model_str_eq(n, map[i].name)) {
			*layer = map[i].layer;
			return map[i].code;
		}
	}
	*layer = DIAG_LAYER_AUTO;
	return DIAG_REFUSED;
}

/* ---- texts --------------------------------------------------------------- */

static const char *var(const struct diag_vars *v, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} tab[] = {
	        {"conn", offsetof(struct diag_vars, conn)},
	        {"child", offsetof(struct diag_vars, child)},
	        {"peer", offsetof(struct diag_vars, peer)},
	        {"peer_id", offsetof(struct diag_vars, peer_id)},
	        {"local_id", offsetof(struct diag_vars, local_id)},
	        {"ours", offsetof(struct diag_vars, ours)},
	        {"theirs", offsetof(struct diag_vars, theirs)},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strlen(tab[i].name) == n && !memcmp(tab[i].name, name, n)) {
			const char *s = *(const char *const *)((const char *)v + tab[i].off);
			return s ? s : "";
		}
	}
	return "";
}

static size_t put(char *buf, size_t size, size_t at, const char *s, size_t n)
{
	for (size_t i = 0; i < n && at + 1 < size; i++)
		buf[at++] = s[i];
	return at;
}

char *diag_expand(char *buf, size_t size, const char *t, const struct diag_vars *v)
{
	size_t at = 0;
	if (!size)
		return buf;
	while (*t) {
		if (t[0] == '$' && t[1] >= '1' && t[1] <= '0' + DIAG_CAPS) {
			if (v->match) {
				struct model_str c = v->match->cap[t[1] - '1'];
				at = put(buf, size, at, c.s, c.len);
			}
			t += 2;
			continue;
		}
		const char *close = t[0] == '{' ? strchr(t, '}') : NULL;
		if (close) {
			const char *bar = memchr(t, '|', (size_t)(close - t));
			const char *nend = bar ? bar : close;
			const char *val = var(v, t + 1, (size_t)(nend - t - 1));
			if (*val)
				at = put(buf, size, at, val, strlen(val));
			else if (bar)
				at = put(buf, size, at, bar + 1, (size_t)(close - bar - 1));
			t = close + 1;
			continue;
		}
		at = put(buf, size, at, t, 1);
		t++;
	}
	buf[at] = '\0';
	return buf;
}

const char *diag_default_detail(enum diag_code c, enum diag_side s, enum diag_layer l)
{
	bool child = l == DIAG_LAYER_CHILD;
	switch (c) {
	case DIAG_NO_PROPOSAL:
		if (s == DIAG_SIDE_PEER)
			return child ? "the peer accepts none of our ESP/AH proposals "
			               "(NO_PROPOSAL_CHOSEN)"
			             : "the peer accepts none of our IKE proposals "
			               "(NO_PROPOSAL_CHOSEN)";
		return child ? "none of the peer's ESP/AH proposals is acceptable here"
		             : "none of the peer's IKE proposals is acceptable here";
	case DIAG_TS_UNACCEPTABLE:
		return s == DIAG_SIDE_PEER ? "the peer does not accept our traffic selectors "
		                             "(TS_UNACCEPTABLE)"
		                           : "the peer's traffic selectors fit none of our CHILD "
		                             "configs";
	case DIAG_AUTH_FAILED:
		return s == DIAG_SIDE_PEER ? "the peer rejected our authentication "
		                             "(AUTHENTICATION_FAILED)"
		                           : "we rejected the peer's authentication";
	case DIAG_PEER_UNREACHABLE:
		return "{peer|the peer} does not answer: giving up after retransmits";
	case DIAG_PEER_DELETED:
		return child ? "the peer deleted the CHILD SA {child}"
		             : "the peer deleted the IKE SA";
	case DIAG_DPD_DEAD:
		return "{peer|the peer} stopped answering an established IKE SA";
	case DIAG_REKEY_FAILED:
		return child ? "CHILD rekeying failed" : "IKE rekeying failed";
	case DIAG_INSTALL_FAILED:
		return "the kernel refused the SA or its policies";
	case DIAG_SHOULD_BE_UP:
		return "it should be up, but there is no SA";
	case DIAG_HALF_OPEN:
		return "an exchange began and never finished";
	case DIAG_CHILD_MISSING:
		return "the IKE SA is up, the CHILD SA {child} is not";
	case DIAG_REFUSED:
		return "the peer refused with an error notify";
	case DIAG_UNKNOWN:
	default:
		return "it failed; charon's lines say nothing more";
	}
}

const char *diag_default_next(enum diag_code c, enum diag_side s, enum diag_layer l)
{
	bool child = l == DIAG_LAYER_CHILD;
	switch (c) {
	case DIAG_NO_PROPOSAL:
		return child ? "compare esp_proposals of {child|the CHILD config} with the peer's: "
		               "no algorithm set is in both"
		             : "compare proposals of {conn|our connections for this peer} with the "
		               "peer's: no algorithm set is in both";
	case DIAG_TS_UNACCEPTABLE:
		return "local_ts and remote_ts must mirror the peer's remote_ts and local_ts "
		       "(one side may narrow)";
	case DIAG_AUTH_FAILED:
		return s == DIAG_SIDE_PEER
		               ? "check the PSK or certificate on both sides and that the peer has "
		                 "a "
		                 "connection for {local_id|our identity}"
		               : "check the peer's identity and credentials against "
		                 "{conn|our connection}'s remote settings and our secrets";
	case DIAG_PEER_UNREACHABLE:
		return "check that {peer|the peer} answers on UDP 500/4500 (route, firewall, NAT) "
		       "and that its charon runs";
	case DIAG_PEER_DELETED:
		return "check the peer's log for why it closed it (terminate, expiry, restart, "
		       "reauthentication)";
	case DIAG_DPD_DEAD:
		return "check the peer and the path to it (UDP 4500); dpd_delay/dpd_action decide "
		       "what charon does next";
	case DIAG_REKEY_FAILED:
		return child ? "compare esp_proposals (PFS groups) on both sides and check the "
		               "peer's log"
		             : "compare proposals on both sides and check the peer's log";
	case DIAG_INSTALL_FAILED:
		return "read charon's KNL lines: algorithms the kernel lacks, conflicting "
		       "policies, "
		       "missing modules (ip xfrm state, ip xfrm policy)";
	case DIAG_SHOULD_BE_UP:
		return "start it and watch the log (swantop why --wait, or the monitor's log pane)";
	case DIAG_HALF_OPEN:
		return "check the peer's log; a lost IKE_AUTH often means fragmentation (MTU, "
		       "fragmentation = yes)";
	case DIAG_CHILD_MISSING:
		return "initiate {child|the CHILD SA} and watch for NO_PROPOSAL_CHOSEN or "
		       "TS_UNACCEPTABLE";
	case DIAG_REFUSED:
		return "the peer's log says why it sent that notify";
	case DIAG_UNKNOWN:
	default:
		return "read the evidence and charon's full log around it";
	}
}
