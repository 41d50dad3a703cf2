/*
 * The filter language wired into the panes (ui/fields.h, each pane's
 * field table): the tables themselves, rows of every pane matched from a
 * model fed with charon's messages (tests/msgs.h), the messages of a bad
 * filter and the rows kept meanwhile, and the problems view (is:problem)
 * from SA states, a stuck rekey and the diagnosis engine's verdicts.
 * Rows are read the way the application reads them: through the pane's
 * keys and its detail subject, or the SA pane's view.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/diag.h"
#include "msgs.h"
#include "ui/fields.h"
#include "ui/keys.h"
#include "ui/pane.h"
#include "vici/wire.h"

static const struct pane_ops *const all_panes[] = {
        &pane_sas_ops, &pane_conns_ops, &pane_pols_ops, &pane_events_ops, &pane_log_ops,
};
#define NPANES (sizeof(all_panes) / sizeof(all_panes[0]))

/* Every table: names lower case and unique, a getter each, some visible. */
static void test_tables(void **state)
{
	(void)state;
	for (size_t k = 0; k < NPANES; k++) {
		const struct pane_ops *ops = all_panes[k];
		size_t visible = 0;
		assert_true(ops->nfields > 3);
		for (size_t i = 0; i < ops->nfields; i++) {
			const char *n = ops->fields[i].name;
			assert_non_null(ops->fields[i].get);
			visible += ops->fields[i].visible;
			for (const char *c = n; *c; c++)
				assert_true((*c >= 'a' && *c <= 'z') || *c == '-' || *c == '_');
			for (size_t j = 0; j < i; j++)
				if (!strcmp(ops->fields[j].name, n))
					fail_msg("%s: field %s twice", ops->name, n);
			/* each name compiles as a field term */
			char text[64], err[512];
			struct filter *f;
			snprintf(text, sizeof(text), "%s~x", n);
			if (filter_compile(text, ops->fields, ops->nfields, &f, err, sizeof(err)))
				fail_msg("%s: %s", ops->name, err);
			filter_free(f);
		}
		assert_true(visible >= 3);
	}
	/* the SA pane has the fields filter.h promises, and the names asked for */
	static const char *const sa[] = {
	        "name", "child", "state", "local",   "remote", "id",       "vip", "proposal", "alg",
	        "spi",  "ts",    "mode",  "version", "reqid",  "uniqueid", "why", "problem"};
	for (size_t i = 0; i < sizeof(sa) / sizeof(sa[0]); i++) {
		bool found = false;
		for (size_t j = 0; j < pane_sas_ops.nfields; j++)
			found |= !strcmp(pane_sas_ops.fields[j].name, sa[i]);
		if (!found)
			fail_msg("SA pane: no field %s", sa[i]);
	}
	/* the problems view is in the SA and connections panes only */
	struct pane p;
	memset(&p, 0, sizeof(p));
	for (size_t k = 0; k < NPANES; k++) {
		p.ops = all_panes[k];
		assert_int_equal(fields_has_problems(&p), k < 2);
	}
}

/* The help lists every field of every pane, visible ones starred. */
static void emit(const char *line, void *arg)
{
	char *buf = arg;
	strncat(buf, line, 16383 - strlen(buf));
	strncat(buf, "\n", 16383 - strlen(buf));
}

static void test_help(void **state)
{
	(void)state;
	static char buf[16384];
	buf[0] = '\0';
	fields_help(emit, buf);
	assert_non_null(strstr(buf, "F~REGEX"));
	assert_non_null(strstr(buf, "is:F"));
	for (size_t k = 0; k < NPANES; k++) {
		const struct pane_ops *ops = all_panes[k];
		const char *line = strstr(buf, ops->name);
		while (line && line[-1] != ' ')
			line = strstr(line + 1, ops->name);
		assert_non_null(line);
		const char *end = strchr(line, '\n');
		for (size_t i = 0; i < ops->nfields; i++) {
			char want[64];
			snprintf(want, sizeof(want), " %s%s", ops->fields[i].name,
			         ops->fields[i].visible ? "*" : "");
			const char *at = strstr(line, want);
			if (!at || at > end)
				fail_msg("%s: %s not in the help", ops->name, want);
		}
	}
}

/* ---- the panes' rows -------------------------------------------------------- */

struct fx {
	struct model *m;
	struct model_view *v;
	struct diag *d;
	struct pane p;
	struct pane_ctx c;
};

#define IKE(n, u, st)                                                                              \
	{                                                                                          \
		.name = n, .uid = u, .state = st, .established = 100, .rekey = 10,                 \
		.remote = "198.51.100." #u                                                         \
	}
#define CHILD(n, u, st)                                                                            \
	{                                                                                          \
		.name = n, .uid = u, .state = st, .install = 10, .rekey = 10, .life = 1000         \
	}

/* conn1, conn12, conn13 up; conn2 CONNECTING; conn3 up with a CHILD SA
 * INSTALLING, conn4 REKEYING (rekey due 10 s after 1000 ms) with a
 * REKEYED CHILD SA; conn5 loaded with start_action start and down
 * (should-be-up), conn6 up with its second child config missing. */
static void fx_init(struct fx *f, const struct pane_ops *ops)
{
	memset(f, 0, sizeof(*f));
	f->m = model_new(NULL);
	const char *one[] = {"lan"}, *two[] = {"lan", "dmz"}, *start[] = {"start"};
	struct msg conns[] = {
	        msg_list_conn("conn1", one, NULL, 1),  msg_list_conn("conn12", one, NULL, 1),
	        msg_list_conn("conn13", one, NULL, 1), msg_list_conn("conn2", one, NULL, 1),
	        msg_list_conn("conn3", one, NULL, 1),  msg_list_conn("conn4", one, NULL, 1),
	        msg_list_conn("conn5", one, start, 1), msg_list_conn("conn6", two, NULL, 2),
	};
	msg_sweep_conns(f->m, conns, sizeof(conns) / sizeof(conns[0]), 1000);
	struct ike_spec ikes[] = {
	        IKE("conn1", 1, NULL),         IKE("conn12", 12, NULL), IKE("conn13", 13, NULL),
	        IKE("conn2", 2, "CONNECTING"), IKE("conn3", 3, NULL),   IKE("conn4", 4, "REKEYING"),
	        IKE("conn6", 6, NULL),
	};
	struct child_spec c1[] = {CHILD("lan", 101, NULL)}, c12[] = {CHILD("lan", 112, NULL)},
	                  c13[] = {CHILD("lan", 113, NULL)},
	                  c3[] = {CHILD("lan", 103, "INSTALLING")},
	                  c4[] = {CHILD("lan", 104, "REKEYED")}, c6[] = {CHILD("lan", 106, NULL)};
	const struct child_spec *ch[] = {c1, c12, c13, NULL, c3, c4, c6};
	size_t nch[] = {1, 1, 1, 0, 1, 1, 1};
	msg_sweep_sas(f->m, ikes, ch, nch, sizeof(ikes) / sizeof(ikes[0]), 1000);
	struct diag_config dc = {.connecting_grace_ms = -1};
	f->d = diag_new(&dc);
	diag_update(f->d, f->m, DIAG_TABLES_ALL, 2000);
	f->v = model_view_new(f->m);
	model_view_fold_all(f->v, false);
	struct pane_init in = {f->m, f->v, NULL};
	pane_init(&f->p, ops, &in);
	pane_resize(&f->p, (struct rect){0, 0, 60, 160});
	f->c.model = f->m;
	f->c.diag = f->d;
	f->c.now = 2000;
	f->c.utf8 = true;
	f->c.focused = true;
	f->c.connected = true;
}

static void fx_free(struct fx *f)
{
	pane_destroy(&f->p);
	model_view_free(f->v);
	diag_free(f->d);
	model_free(f->m);
}

static unsigned key(struct fx *f, int action)
{
	struct key_input k = {action, VERB_NONE, 0};
	struct intent out;
	memset(&out, 0, sizeof(out));
	return f->p.ops->key(&f->p, &f->c, &k, &out);
}

/* Sets the pane's filter as the application does; returns its result. */
static int set_filter(struct fx *f, const char *text)
{
	snprintf(f->p.filter, sizeof(f->p.filter), "%s", text);
	return pane_filter_changed(&f->p);
}

/* The rows shown, as "name/child" words: the SA pane's from its view, the
 * others' by walking them with the keys and reading the detail subject. */
static const char *rows(struct fx *f)
{
	static char buf[2048];
	size_t n = 0;
	buf[0] = '\0';
	key(f, KA_HOME);
	if (f->p.ops == &pane_sas_ops) {
		for (size_t i = 0; i < model_view_count(f->v); i++) {
			const struct model_row *r = model_view_row(f->v, i);
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%.*s%s%.*s",
			                      n ? " " : "", (int)r->ike->name.len, r->ike->name.s,
			                      r->child ? "/" : "",
			                      r->child ? (int)r->child->name.len : 0,
			                      r->child ? r->child->name.s : "");
		}
		return buf;
	}
	for (size_t i = 0; i < 100; i++) {
		struct detail_subject s;
		if (!pane_detail(&f->p, &f->c, &s))
			break;
		if (s.kind == DETAIL_CONN)
			n += (size_t)snprintf(
			        buf + n, sizeof(buf) - n, "%s%s%s%s", n ? " " : "", s.target.ike.s,
			        s.target.kind == TARGET_CHILD_CONF ? "/" : "",
			        s.target.kind == TARGET_CHILD_CONF ? s.target.child.s : "");
		else if (s.kind == DETAIL_PEER || s.kind == DETAIL_POLICY)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
			                      s.target.ike.s);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%llu", n ? " " : "",
			                      (unsigned long long)s.seq);
		size_t was = f->p.lv.sel;
		key(f, KA_DOWN);
		if (f->p.lv.sel == was)
			break;
	}
	return buf;
}

struct want {
	const char *filter, *rows;
};

static void check(struct fx *f, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (set_filter(f, w[i].filter))
			fail_msg("/%s: %s", w[i].filter, f->p.filter_err);
		const char *got = rows(f);
		if (strcmp(got, w[i].rows))
			fail_msg("%s /%s:\n  got  \"%s\"\n  want \"%s\"", f->p.ops->name,
			         w[i].filter, got, w[i].rows);
	}
}
#define CHECK(f, w) check(f, w, sizeof(w) / sizeof(w[0]))

static void test_sa_pane(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_sas_ops);
	static const struct want w[] = {
	        {"", "conn1 conn1/lan conn12 conn12/lan conn13 conn13/lan conn2 conn3 conn3/lan "
	             "conn4 conn4/lan conn6 conn6/lan"},
	        {"CONNECTING", "conn2"},
	        {"state=CONNECTING", "conn2"},
	        {"state=connecting", "conn2"},
	        {"state=connect", ""}, /* the whole value */
	        {"conn1[23]$", "conn12 conn12/lan conn13 conn13/lan"},
	        {"!conn1", "conn2 conn3 conn3/lan conn4 conn4/lan conn6 conn6/lan"},
	        {"state=INSTALLING", "conn3 conn3/lan"}, /* the IKE SA above its CHILD SA */
	        {"!state=ESTABLISHED", "conn2 conn4 conn4/lan"},
	        {"remote~\\.1[23]$", "conn12 conn12/lan conn13 conn13/lan"},
	        {"name=conn1", "conn1 conn1/lan"},
	        {"name!=conn1 name~^conn1", "conn12 conn12/lan conn13 conn13/lan"},
	        {"uniqueid=113", "conn13 conn13/lan"},
	        {"ts~^10\\.2\\.", "conn1 conn1/lan conn12 conn12/lan conn13 conn13/lan conn3 "
	                          "conn3/lan conn4 conn4/lan conn6 conn6/lan"},
	        {"\"conn1 \"", ""},
	};
	CHECK(&f, w);
	fx_free(&f);
}

/* A bad filter: a one-line message, nothing freed, the rows of the last
 * filter that compiled stay; fixing it takes the message away. */
static void test_errors(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_sas_ops);
	assert_int_equal(set_filter(&f, "conn1[23]$"), 0);
	const char *good = "conn12 conn12/lan conn13 conn13/lan";
	assert_string_equal(rows(&f), good);
	static const struct {
		const char *text, *err;
	} bad[] = {
	        {"conn1[", "bad regular expression in \"conn1[\": "},
	        {"name~(", "bad regular expression in \"name~(\": "},
	        {"stat=CONNECTING", "unknown field \"stat\" in \"stat=CONNECTING\" (did you mean "
	                            "\"state\"?); fields: name, child, state, local, remote, id, "
	                            "vip, proposal, alg, spi, ts, mode, why, problem, version, "
	                            "reqid, uniqueid"},
	        {"is:nothing", "unknown field \"nothing\" in \"is:nothing\""},
	        {"name=\"x", "unterminated quote in \"name=\"x\""},
	        {"!", "\"!\" needs a term after it"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set_filter(&f, bad[i].text), -EINVAL);
		if (strncmp(f.p.filter_err, bad[i].err, strlen(bad[i].err)))
			fail_msg("/%s: \"%s\", want \"%s...\"", bad[i].text, f.p.filter_err,
			         bad[i].err);
		assert_null(strchr(f.p.filter_err, '\n'));
		assert_string_equal(f.p.filter, bad[i].text); /* as typed */
		assert_string_equal(rows(&f), good);
		char note[256];
		assert_non_null(strstr(pane_filter_note(&f.p, note, sizeof(note)), "(invalid)"));
	}
	assert_int_equal(set_filter(&f, "conn13"), 0);
	assert_string_equal(f.p.filter_err, "");
	assert_string_equal(rows(&f), "conn13 conn13/lan");
	fx_free(&f);
	/* every pane says the same kind of thing in its own fields */
	for (size_t k = 1; k < NPANES; k++) {
		fx_init(&f, all_panes[k]);
		assert_int_equal(set_filter(&f, "bogus=1"), -EINVAL);
		assert_non_null(strstr(f.p.filter_err, "unknown field \"bogus\""));
		assert_non_null(strstr(f.p.filter_err, "; fields: "));
		assert_int_equal(set_filter(&f, "text~a{2,1}"), -EINVAL);
		fx_free(&f);
	}
}

static void test_conns_pane(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_conns_ops);
	static const struct want w[] = {
	        {"conn1[23]$", "conn12 conn12/lan conn13 conn13/lan"},
	        {"!conn1", "conn2 conn2/lan conn3 conn3/lan conn4 conn4/lan conn5 conn5/lan conn6 "
	                   "conn6/lan conn6/dmz"},
	        /* an IKE SA rekeying is not ESTABLISHED: STATUS says connecting */
	        {"status=connecting", "conn2 conn2/lan conn4 conn4/lan"},
	        {"state=down", "conn5 conn5/lan"},
	        /* conn3's CHILD SA is INSTALLING, not up yet */
	        {"status=partial", "conn3 conn3/lan conn6 conn6/lan conn6/dmz"},
	        {"child=dmz", "conn6 conn6/dmz"},
	        {"why=should-be-up", "conn5"},
	        {"remote=10.2.0.0/16 name=conn3", "conn3 conn3/lan"},
	        {"version=IKEv1", ""},
	};
	CHECK(&f, w);
	fx_free(&f);
}

static void test_pols_events_log(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_events_ops);
	struct ike_spec ike = IKE("conn1", 1, NULL);
	struct child_spec lan = CHILD("lan", 101, NULL);
	msg_feed(f.m, "ike-updown", msg_ike_updown(false, &ike), 3000);
	msg_feed(f.m, "child-updown", msg_child_updown(true, &ike, &lan), 3100);
	msg_feed(f.m, "control-log", msg_control_log("IKE", 1, "initiating IKE_SA conn7"), 3200);
	size_t n = model_events_count(f.m);
	assert_true(n >= 3);
	char all[64];
	snprintf(all, sizeof(all), "%llu %llu %llu",
	         (unsigned long long)model_event_at(f.m, n - 3)->seq,
	         (unsigned long long)model_event_at(f.m, n - 2)->seq,
	         (unsigned long long)model_event_at(f.m, n - 1)->seq);
	char first[24], last[24];
	snprintf(first, sizeof(first), "%llu", (unsigned long long)model_event_at(f.m, n - 3)->seq);
	snprintf(last, sizeof(last), "%llu", (unsigned long long)model_event_at(f.m, n - 1)->seq);
	const struct want w[] = {
	        {"name=conn1", ""}, /* set below */
	        {"text~conn7$", ""},
	        {"conn7", ""},
	        {"!conn7 name=conn1 kind~^ike", ""},
	};
	struct want ww[4];
	memcpy(ww, w, sizeof(ww));
	char two[64];
	snprintf(two, sizeof(two), "%s %llu", first,
	         (unsigned long long)model_event_at(f.m, n - 2)->seq);
	ww[0].rows = two;
	ww[1].rows = last;
	ww[2].rows = last;
	ww[3].rows = first;
	f.p.lv.follow = false;
	check(&f, ww, 4);
	assert_int_equal(set_filter(&f, ""), 0);
	assert_string_equal(rows(&f), all);
	fx_free(&f);

	/* the log: group, level, IKE SA name, text */
	fx_init(&f, &pane_log_ops);
	static const struct {
		const char *group, *ike, *text;
		int level;
	} lines[] = {
	        {"IKE", "conn1", "sending DPD request", 1},
	        {"CHD", "conn12", "CHILD_SA lan{3} established", 0},
	        {"KNL", NULL, "interface eth0 activated", 2},
	};
	for (size_t i = 0; i < 3; i++) {
		struct vici_builder b;
		uint8_t *p;
		size_t len;
		vici_builder_init(&b);
		vici_builder_add_str(&b, "group", lines[i].group);
		vici_builder_add_fmt(&b, "level", "%d", lines[i].level);
		if (lines[i].ike) {
			vici_builder_add_str(&b, "ikesa-name", lines[i].ike);
			vici_builder_add_str(&b, "ikesa-uniqueid", "7");
		}
		vici_builder_add_str(&b, "msg", lines[i].text);
		assert_int_equal(vici_builder_finish(&b, &p, &len), 0);
		assert_true(model_ingest_log(f.m, p, len, 4000 + (int64_t)i) >= 0);
		free(p);
	}
	char seq[3][24];
	for (size_t i = 0; i < 3; i++)
		snprintf(seq[i], sizeof(seq[i]), "%llu",
		         (unsigned long long)model_log_at(f.m, i)->seq);
	char s01[64];
	snprintf(s01, sizeof(s01), "%s %s", seq[0], seq[1]);
	const struct want lw[] = {
	        {"group=KNL", seq[2]},   {"level=0", seq[1]},         {"name~^conn1", s01},
	        {"name=conn1", seq[0]},  {"!is:name", seq[2]},        {"text~^CHILD_SA", seq[1]},
	        {"established", seq[1]}, {"uniqueid=7 !DPD", seq[1]},
	};
	f.p.lv.follow = false;
	CHECK(&f, lw);
	fx_free(&f);

	/* policies: no policies loaded; the table still answers */
	fx_init(&f, &pane_pols_ops);
	assert_int_equal(set_filter(&f, "type=trap"), 0);
	assert_string_equal(rows(&f), "");
	fx_free(&f);
}

/* ---- the problems view ------------------------------------------------------ */

static void test_sa_problem_words(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_sas_ops);
	const struct model_ike *c2 = model_ike_find(f.m, 2), *c3 = model_ike_find(f.m, 3),
	                       *c4 = model_ike_find(f.m, 4), *c1 = model_ike_find(f.m, 1);
	assert_non_null(c2);
	assert_non_null(c4);
	assert_null(fields_sa_problem(c1, NULL, f.d, 2000));
	assert_null(fields_sa_problem(c1, &c1->children[0], f.d, 2000));
	/* half-open: the engine's verdict comes first */
	const char *p2 = fields_sa_problem(c2, NULL, f.d, 2000);
	assert_non_null(p2);
	assert_true(!strcmp(p2, "half-open") || !strcmp(p2, "peer-unreachable"));
	assert_string_equal(fields_sa_problem(c2, NULL, NULL, 2000), "CONNECTING");
	assert_string_equal(fields_sa_problem(c3, &c3->children[0], NULL, 2000), "INSTALLING");
	/* rekeying: fine until FIELDS_REKEY_STUCK_MS past the rekey time */
	int64_t due = 1000 + 10 * 1000;
	assert_null(fields_sa_problem(c4, NULL, NULL, due));
	assert_null(fields_sa_problem(c4, NULL, NULL, due + FIELDS_REKEY_STUCK_MS - 1));
	assert_string_equal(fields_sa_problem(c4, NULL, NULL, due + FIELDS_REKEY_STUCK_MS),
	                    "rekey-stuck");
	assert_string_equal(
	        fields_sa_problem(c4, &c4->children[0], NULL, due + FIELDS_REKEY_STUCK_MS),
	        "rekey-stuck");
	fx_free(&f);
}

static void test_problems_view(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_sas_ops);
	f.p.problems = true;
	static const struct want w[] = {
	        /* conn6: the engine's child-missing verdict on its IKE SA */
	        {"", "conn2 conn3 conn3/lan conn6"},
	        {"conn3", "conn3 conn3/lan"}, /* composes with the filter */
	        {"problem=INSTALLING", "conn3 conn3/lan"},
	        {"conn1", ""},
	};
	CHECK(&f, w);
	/* a minute after the rekey time: the rekey is stuck, and the view
	 * matches again by itself (the time moved, not the SAs) */
	assert_int_equal(set_filter(&f, ""), 0);
	f.c.now = 1000 + 10 * 1000 + FIELDS_REKEY_STUCK_MS;
	assert_string_equal(rows(&f), "conn2 conn3 conn3/lan conn4 conn4/lan conn6");
	char note[256];
	assert_string_equal(pane_filter_note(&f.p, note, sizeof(note)), "  problems");
	/* off: the filter as it was */
	assert_int_equal(set_filter(&f, "conn1[23]$"), 0);
	f.p.problems = false;
	assert_int_equal(pane_filter_changed(&f.p), 0);
	assert_string_equal(rows(&f), "conn12 conn12/lan conn13 conn13/lan");
	fx_free(&f);

	/* the connections: verdicts, partly up, connecting; not what is up
	 * or down by configuration */
	fx_init(&f, &pane_conns_ops);
	f.p.problems = true;
	static const struct want cw[] = {
	        {"", "conn2 conn3 conn3/lan conn4 conn5 conn6 conn6/dmz"},
	        {"why=should-be-up", "conn5"},
	        {"!conn6", "conn2 conn3 conn3/lan conn4 conn5"},
	};
	CHECK(&f, cw);
	assert_string_equal(pane_filter_note(&f.p, note, sizeof(note)),
	                    "  problems  filter: !conn6");
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tables),           cmocka_unit_test(test_help),
	        cmocka_unit_test(test_sa_pane),          cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_conns_pane),       cmocka_unit_test(test_pols_events_log),
	        cmocka_unit_test(test_sa_problem_words), cmocka_unit_test(test_problems_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
