/*
 * Synthetic but realistic list-sa event bodies, for benchmarks, the VICI
 * simulator and model tests. The layout, key names, key order and value
 * formats are those of charon 5.9.8 (list_ike()/list_child() in
 * src/libcharon/plugins/vici/vici_query.c): one event per IKE SA, a section
 * named after the connection holding the IKE SA keys and a "child-sas"
 * section with one "<child>-<uniqueid>" section per CHILD SA.
 *
 * Everything is derived deterministically from the index, so index i always
 * gives the same bytes, and different indices give different names, unique
 * ids, addresses, SPIs and counters. The IKE SAs are ESTABLISHED and the
 * CHILD SAs INSTALLED (the full set of keys); some indices vary the optional
 * keys charon only sends sometimes (NAT, virtual IPs, integrity algorithm,
 * PFS group, use-in/use-out).
 */
#ifndef SWANTOP_BENCH_LISTSA_GEN_H
#define SWANTOP_BENCH_LISTSA_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "vici/wire.h"

/* Appends one IKE SA section (connection "gw-<index>", IKE unique id
 * index + 1) with nchild CHILD SAs to b, exactly as it appears at the root
 * of a list-sa event. Builder errors are sticky in b as usual. */
void listsa_gen_ike(struct vici_builder *b, unsigned index, unsigned nchild);

/* A complete list-sa event body for one IKE SA (what charon sends per
 * event). Returns 0 and a malloc'd message (caller frees), or the builder's
 * error. */
int listsa_gen_message(unsigned index, unsigned nchild, uint8_t **msg, size_t *len);

#endif
