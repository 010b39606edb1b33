// SPDX-License-Identifier: GPL-2.0
/*
 * t_lib_cxx.cpp - <memfabric/memfabric.hpp> (guest, as root): the RAII
 * session, namespace, object and mapping types, spans, and errors as
 * exceptions carrying the errno.  CUnit via mflib.h.
 */
#include <memfabric/memfabric.hpp>

#include <cstdint>
#include <cstring>
#include <numeric>

#include <CUnit/CUnit.h>

#include "mflib_cxx.h"

using namespace memfabric;

#define NS "t_lib_cxx"
#define SEC "cxx-secret"

// Did @f throw Error with @err?
template <class F> static bool throws(F &&f, int err)
{
	try {
		f();
	} catch (const Error &e) {
		return e.errnum() == err &&
		       std::strstr(e.what(), "BM_") != nullptr;
	}
	return false;
}

static void test_objects()
{
	Session s;
	Namespace ns(mflc_pool(), NS, SEC, 5);
	{
		Object o = Object::alloc(ns.info("vec"), 1000 * sizeof(int64_t));

		CU_ASSERT(!!o);
		CU_ASSERT_EQUAL(o.size(), 1000 * sizeof(int64_t));
		CU_ASSERT(!o.shared());
		std::vector<int64_t> v(1000);
		std::iota(v.begin(), v.end(), 1);
		o.write(0, Span<const int64_t>(v.data(), v.size()));
		CU_ASSERT(o.read<int64_t>(0, 1000) == v);
		CU_ASSERT_EQUAL(o.stat().sessionRefs, 1);
		{
			Object again = Object::get(ns.info("vec"));

			CU_ASSERT_EQUAL(o.stat().sessionRefs, 2);
		}
		CU_ASSERT_EQUAL(o.stat().sessionRefs, 1);

		// Derive, write the copy, publish it, gather.
		Object copy = o.derive(ns.info("copy"));
		int64_t minus = -1;
		copy.write(0, &minus, sizeof(minus));
		copy.publish();
		CU_ASSERT(copy.shared());
		CU_ASSERT(throws([&] { copy.write(0, &minus, 8); }, EACCES));
		CU_ASSERT(throws([&] { copy.publish(); }, EALREADY));
		Object sum = Object::alloc(ns.info("sum"), 1000 * 8);
		CU_ASSERT_EQUAL(sum.gather({ o.item(0, 8000), copy.item(0, 8000) },
					   BM_OP_SUM_I64), 8000);
		std::vector<int64_t> r = sum.read<int64_t>(0, 3);
		CU_ASSERT(r[0] == 0 && r[1] == 4 && r[2] == 6);

		// A moved-from handle owns nothing.
		Object moved = std::move(sum);
		CU_ASSERT(!sum);
		CU_ASSERT(!!moved);
		moved.free();
		copy.free();
		o.free();
		CU_ASSERT(!o);
	}
	CU_ASSERT(throws([&] { Object::get(ns.info("vec")); }, ENOENT));
	CU_ASSERT(throws([&] { Object::get(makeInfo("", NS, "bad", "x")); },
			 EACCES));
	CU_ASSERT(throws([&] { Object::alloc(ns.info("big"), BM_MAX_SIZE); },
			 ENOSPC));
	CU_ASSERT(throws([&] { Object::alloc(ns.info("zero"), 0); }, EINVAL));
	CU_ASSERT(throws([&] { Namespace dup(mflc_pool(), NS, SEC); }, EEXIST));
	CU_ASSERT(throws([&] { makeInfo("", std::string(80, 'n'), SEC); },
			 EINVAL));
	CU_ASSERT_EQUAL(s.namespaces().size() >= 1, true);
	ns.destroy();
	CU_ASSERT(throws([&] { ns.destroy(); Object::get(ns.info("x")); },
			 ENOENT));
}

static void test_mapping()
{
	Session s;
	Namespace ns(mflc_pool(), NS "m", SEC);
	Object o = Object::alloc(ns.info("m"), 10000);
	const char text[] = "mapped";

	CU_ASSERT_FATAL(mflc_has_mmap());
	o.write(100, text, sizeof(text));
	o.publish();
	{
		Mapping m = o.map(PROT_READ, BM_MAP_SHARED);

		CU_ASSERT_EQUAL(m.size(), 10000);
		CU_ASSERT(!std::memcmp(m.as<char>().data() + 100, text,
				       sizeof(text)));
		CU_ASSERT_EQUAL(o.stat().mapCount, 1);

		// A private copy, edited and committed.
		Mapping p = o.map(PROT_READ | PROT_WRITE, BM_MAP_PRIVATE);
		p.bytes()[0] = std::byte{ 0x42 };
		Object c = Object::commit(p, ns.info("c"), BM_COMMIT_PUBLISH);
		CU_ASSERT(c.shared());
		CU_ASSERT_EQUAL(c.read<unsigned char>(0, 1)[0], 0x42);
		CU_ASSERT_EQUAL(o.read<unsigned char>(0, 1)[0], 0);
		c.free();
	}
	CU_ASSERT_EQUAL(o.stat().mapCount, 0);
	CU_ASSERT(throws([&] { o.map(PROT_READ | PROT_WRITE); }, EACCES));
	o.free();
}

static void test_session()
{
	CU_ASSERT(throws([] { Session s("/nonexistent.conf"); }, ENOENT));
	Session a;
	Session b = std::move(a);
	CU_ASSERT_EQUAL(b.version().abiMajor, 1u);
}

int main(int argc, char **argv)
{
	static const struct mfl_test tests[] = {
		{ "cxx", "objects, namespaces, errors", test_objects },
		{ "cxx", "mappings and commit", test_mapping },
		{ "cxx", "sessions", test_session },
	};

	(void)argc;
	return mflc_main(argv[0], tests, sizeof(tests) / sizeof(tests[0]));
}
