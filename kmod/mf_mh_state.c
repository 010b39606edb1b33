// SPDX-License-Identifier: GPL-2.0
/*
 * mf_mh_state.c - the manager's DRAM state of a multi-host pool, which is
 * the replay of the log.
 *
 * The log is the truth.  The manager's state (objects and their extents,
 * used units, quarantine masks, reference masks, host epochs and states,
 * the directory's slot states) is what mf_mh_apply() makes of the
 * committed records, in order.  The same function runs live, right after
 * a record is committed (mf_mh_mgr.c), and at rebuild, so a rebuilt
 * manager has exactly the state that was committed.  A record that does
 * not fit the state (an unknown object, a unit already used) is -EUCLEAN:
 * at rebuild, corruption.
 *
 * The rules it applies (Documentation/multihost.md, "State"):
 *  - an object's units are used while it lives; a deleted object's units
 *    get the quarantine mask the DELETE record carries, and a unit is
 *    allocated again only when its mask is empty;
 *  - JOIN of host h: its references go, its private objects are deleted
 *    without quarantine (its caches were written back and dropped first),
 *    and bit h leaves every quarantine mask;
 *  - LEAVE of host h (lease expired): the same, but its private objects'
 *    units are quarantined for h too, as a zombie may hold dirty lines;
 *  - a clean LEAVE of host h (it asked, at detach, after it wrote back and
 *    dropped its whole cache): as JOIN, but the host is out (DEAD) until
 *    it joins again;
 *  - EXTEND of a private object: its extents grow (the old ones kept, the
 *    last one possibly longer) over units neither used nor quarantined,
 *    and its size with them.
 *
 * Nothing here touches the device.  mf_mh_mgr_check() verifies the state
 * (the simulator calls it after every manager step).
 *
 * Locking: the state is struct mf_mh_mgr's fields marked "lock" in
 * mf_mh.h; every function here runs with the manager's lock held and
 * asserts it (lockdep in the kernel, the simulator's checked flag in
 * userspace).
 */
#include "mf_mh_int.h"

struct mf_mh_obj *mf_mh_find(const struct mf_mh_mgr *m, u64 id)
{
	u32 i;

	mf_mh_lock_held(&m->lock);
	for (i = 0; i < m->nr_objs; i++)
		if (m->objs[i].id == id)
			return &m->objs[i];
	return NULL;
}

/*
 * The object @id, or NULL.  The caller holds @m->lock; the object is valid
 * until it releases it.
 */
const struct mf_mh_obj *mf_mh_mgr_find(const struct mf_mh_mgr *m, u64 id)
{
	return mf_mh_find(m, id);
}

/*
 * Directory slot @s no longer holds a published object: it becomes a
 * tombstone, which a probe passes.  If the next slot is empty, no probe
 * for a published object reaches past @s (published slots follow their
 * hash's slot without a gap), so @s and the tombstones just before it
 * become empty: a lookup of a missing name stops early, however long the
 * pool lives.  mf_mh_dir_tombs() counts those tombstones beforehand, for
 * the slots the commit rewrites.
 */
static void mf_mh_dir_vacate(struct mf_mh_mgr *m, u32 s)
{
	u32 n = m->geo.dir_slots, k;

	mf_mh_lock_held(&m->lock);
	m->dirstate[s] = MF_MH_DIR_TOMB;
	if (m->dirstate[(s + 1) % n] != MF_MH_DIR_EMPTY)
		return;
	for (k = 0; k < n && m->dirstate[s] == MF_MH_DIR_TOMB; k++) {
		m->dirstate[s] = MF_MH_DIR_EMPTY;
		s = (s + n - 1) % n;
	}
}

/* The tombstones right before directory slot @s. */
u32 mf_mh_dir_tombs(const struct mf_mh_mgr *m, u32 s)
{
	u32 n = m->geo.dir_slots, k;

	mf_mh_lock_held(&m->lock);
	for (k = 0; k + 1 < n; k++) {
		s = (s + n - 1) % n;
		if (m->dirstate[s] != MF_MH_DIR_TOMB)
			break;
	}
	return k;
}

/* The published object whose name's hash is @name, or NULL. */
struct mf_mh_obj *mf_mh_find_name(const struct mf_mh_mgr *m, u64 name)
{
	u32 i;

	mf_mh_lock_held(&m->lock);
	for (i = 0; i < m->nr_objs; i++)
		if (m->objs[i].state == MF_MH_OBJ_PUBLISHED &&
		    m->objs[i].name == name)
			return &m->objs[i];
	return NULL;
}

/*
 * Remove an object; its units become free, or quarantined until every
 * host in @qm has rejoined.
 */
static void mf_mh_obj_delete(struct mf_mh_mgr *m, struct mf_mh_obj *o, u16 qm)
{
	u32 i, u;

	mf_mh_lock_held(&m->lock);
	for (i = 0; i < o->nr_ext; i++) {
		for (u = o->ext[i].start; u < o->ext[i].start + o->ext[i].len;
		     u++) {
			m->used[u] = 0;
			m->qmask[u] |= qm;
		}
	}
	if (o->state == MF_MH_OBJ_PUBLISHED)
		mf_mh_dir_vacate(m, o->dir_slot);
	*o = m->objs[--m->nr_objs];
}

/*
 * Host @h is gone (lease expired) or re-registers: its references go and
 * its private objects are deleted.  Their units are quarantined for every
 * dead host that mapped them, and for @h itself if it may still hold dirty
 * lines (@zombie: it did not flush its caches).
 */
static void mf_mh_host_drop(struct mf_mh_mgr *m, u32 h, bool zombie)
{
	u16 bit = mf_mh_bit(h);
	struct mf_mh_obj *o;
	u32 i = 0;

	mf_mh_lock_held(&m->lock);
	while (i < m->nr_objs) {
		o = &m->objs[i];
		o->refs &= ~bit;
		if (o->state == MF_MH_OBJ_PRIVATE && o->owner == h) {
			mf_mh_obj_delete(m, o, (o->mapped & m->dead) |
					 (zombie ? bit : 0));
			continue;
		}
		i++;
	}
}

/* Apply one committed record; the same code runs live and at rebuild. */
int mf_mh_apply(struct mf_mh_mgr *m, const struct mf_mh_rec *r)
{
	u16 bit = mf_mh_bit(r->host);
	struct mf_mh_hoststate *hs = &m->host[r->host];
	struct mf_mh_x add[MF_MH_MAX_EXT];
	struct mf_mh_obj *o = NULL;
	u16 nr_add;
	u32 i, u;

	mf_mh_lock_held(&m->lock);
	if (r->type != MF_MH_REC_CREATE && r->type != MF_MH_REC_JOIN &&
	    r->type != MF_MH_REC_LEAVE) {
		o = mf_mh_find(m, r->id);
		if (!o)
			return -EUCLEAN;
	}
	switch (r->type) {
	case MF_MH_REC_CREATE:
		if (m->nr_objs >= m->max_objs || mf_mh_find(m, r->id) ||
		    !r->nr_ext)
			return -EUCLEAN;
		for (i = 0; i < r->nr_ext; i++)
			for (u = r->ext[i].start;
			     u < r->ext[i].start + r->ext[i].len; u++)
				if (m->used[u] || m->qmask[u])
					return -EUCLEAN;
		o = &m->objs[m->nr_objs++];
		memset(o, 0, sizeof(*o));
		o->id = r->id;
		o->size = r->a;
		o->state = MF_MH_OBJ_PRIVATE;
		o->owner = (u8)r->host;
		o->mapped = bit;
		o->nr_ext = r->nr_ext;
		for (i = 0; i < r->nr_ext; i++) {
			o->ext[i] = r->ext[i];
			for (u = r->ext[i].start;
			     u < r->ext[i].start + r->ext[i].len; u++)
				m->used[u] = 1;
		}
		if (r->id >= m->next_id)
			m->next_id = r->id + 1;
		return 0;
	case MF_MH_REC_PUBLISH:
		if (o->state != MF_MH_OBJ_PRIVATE || r->a >= m->geo.dir_slots ||
		    m->dirstate[r->a] == MF_MH_DIR_PUB || !r->c ||
		    mf_mh_find_name(m, r->c))
			return -EUCLEAN;
		o->state = MF_MH_OBJ_PUBLISHED;
		o->name = r->c;
		o->gen = r->gen;
		o->born = r->b;
		o->dir_slot = (u32)r->a;
		o->refs |= mf_mh_bit(o->owner);
		m->dirstate[r->a] = MF_MH_DIR_PUB;
		return 0;
	case MF_MH_REC_REF:
		if (o->state != MF_MH_OBJ_PUBLISHED)
			return -EUCLEAN;
		if (r->a) {
			o->refs |= bit;
			o->mapped |= bit;
		} else {
			o->refs &= ~bit;
		}
		return 0;
	case MF_MH_REC_DELETE:
		mf_mh_obj_delete(m, o, (u16)r->a);
		return 0;
	case MF_MH_REC_EXTEND:
		if (o->state != MF_MH_OBJ_PRIVATE || o->owner != r->host ||
		    r->a <= o->size ||
		    mf_mh_ext_grown(o->ext, o->nr_ext, r->ext, r->nr_ext,
				    add, &nr_add))
			return -EUCLEAN;
		for (i = 0; i < nr_add; i++)
			for (u = add[i].start; u < add[i].start + add[i].len; u++)
				if (m->used[u] || m->qmask[u])
					return -EUCLEAN;
		for (i = 0; i < nr_add; i++)
			for (u = add[i].start; u < add[i].start + add[i].len; u++)
				m->used[u] = 1;
		o->size = r->a;
		o->nr_ext = r->nr_ext;
		memcpy(o->ext, r->ext, sizeof(o->ext));
		return 0;
	case MF_MH_REC_JOIN:
		/* The host wrote back and dropped its whole cache first. */
		m->dead &= ~bit;
		mf_mh_host_drop(m, r->host, false);
		for (u = 0; u < m->geo.data_units; u++)
			m->qmask[u] &= ~bit;
		hs->epoch = r->epoch;
		hs->state = MF_MH_HOST_JOINED;
		hs->beat = 0;
		hs->seen = m->now;
		return 0;
	case MF_MH_REC_LEAVE:
		/* r->a: a clean LEAVE; the host flushed its caches first. */
		if (!r->a)
			m->dead |= bit;
		mf_mh_host_drop(m, r->host, !r->a);
		hs->epoch = r->epoch;
		hs->state = MF_MH_HOST_DEAD;
		return 0;
	}
	return -EUCLEAN;
}

/* Note the first finding of mf_mh_mgr_check() in @what and @where. */
static int mf_mh_bad(const char **what, u64 *where, const char *w, u64 at)
{
	if (what)
		*what = w;
	if (where)
		*where = at;
	return -EUCLEAN;
}

/*
 * Consistency of the DRAM state: the used and quarantined units, the
 * objects' reference masks, owners and extents, and the directory slots
 * of the published ones; -EUCLEAN if broken, with its first finding in
 * @what (a constant string) and @where (the unit, object id or slot it
 * names), either of which may be NULL.  The caller holds @m->lock.
 */
int mf_mh_mgr_check(const struct mf_mh_mgr *m, const char **what, u64 *where)
{
	u32 i, j, u, s, units = 0, pub = 0, used = 0, n = m->geo.dir_slots;
	const struct mf_mh_obj *o;
	u16 live = 0;

	mf_mh_lock_held(&m->lock);
	for (i = 0; i < m->geo.nr_hosts; i++)
		if (m->host[i].state == MF_MH_HOST_JOINED)
			live |= mf_mh_bit(i);
	for (u = 0; u < m->geo.data_units; u++) {
		if (m->used[u] && m->qmask[u])
			return mf_mh_bad(what, where,
					 "unit used and quarantined", u);
		used += m->used[u];
	}
	for (i = 0; i < m->nr_objs; i++) {
		o = &m->objs[i];
		if ((o->refs & ~live) || (o->refs & ~o->mapped))
			return mf_mh_bad(what, where,
					 "object ref of a host not joined or unmapped",
					 o->id);
		if (o->state == MF_MH_OBJ_PRIVATE &&
		    (o->refs || !(live & mf_mh_bit(o->owner))))
			return mf_mh_bad(what, where,
					 "private object referenced or orphaned",
					 o->id);
		if (o->state == MF_MH_OBJ_PUBLISHED) {
			pub++;
			if (o->dir_slot >= n ||
			    m->dirstate[o->dir_slot] != MF_MH_DIR_PUB)
				return mf_mh_bad(what, where,
						 "published object not in its slot",
						 o->id);
			if (mf_mh_find_name(m, o->name) != o)
				return mf_mh_bad(what, where,
						 "published name not unique",
						 o->id);
			/* No empty slot between its hash's slot and its own. */
			for (s = mf_mh_dir_hash(o->name, n); s != o->dir_slot;
			     s = (s + 1) % n)
				if (m->dirstate[s] == MF_MH_DIR_EMPTY)
					return mf_mh_bad(what, where,
							 "gap in a name's probe chain",
							 s);
		}
		for (j = 0; j < o->nr_ext; j++) {
			if (!mf_mh_ext_ok(&m->geo, &o->ext[j]))
				return mf_mh_bad(what, where,
						 "object extent out of bounds",
						 o->id);
			for (u = o->ext[j].start;
			     u < o->ext[j].start + o->ext[j].len; u++)
				if (!m->used[u])
					return mf_mh_bad(what, where,
							 "object unit not used",
							 u);
			units += o->ext[j].len;
		}
	}
	/* Each used unit in exactly one object: counts match, no overlap. */
	if (units != used)
		return mf_mh_bad(what, where,
				 "used units not in exactly one object",
				 used);
	for (i = 0; i < n; i++) {
		if (m->dirstate[i] == MF_MH_DIR_PUB)
			pub--;
		/* No tombstone right before an empty slot (vacate). */
		if (m->dirstate[i] == MF_MH_DIR_TOMB &&
		    m->dirstate[(i + 1) % n] == MF_MH_DIR_EMPTY)
			return mf_mh_bad(what, where,
					 "tombstone before an empty slot", i);
	}
	return pub ? mf_mh_bad(what, where,
			       "directory slots and published objects differ",
			       m->nr_objs) : 0;
}
