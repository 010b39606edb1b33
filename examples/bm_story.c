// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bm_story.c - the story of Documentation/objects.md (seed 001 in
 * Documentation/design.md) with the BigMemory API: a producer
 * publishes a data set once; two readers map the shared memory itself
 * (no copy); an editor maps it privately (copy-on-write), edits, and
 * commits its copy as a new shared object that the readers then use.
 *
 *   cc bm_story.c $(pkg-config --cflags --libs memfabric) -o bm_story
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memfabric/bm.h>

#define NS "story"
#define SEC "story-secret"
#define SIZE (4u << 20)

static int die(const char *what, int rc)
{
	fprintf(stderr, "%s: %s\n", what, BM_StrError(rc));
	exit(1);
}
#define TRY(call) do { int rc_ = (call); if (rc_ < 0) die(#call, rc_); } while (0)

static BmInfo name(const char *id)
{
	BmInfo b;

	memset(&b, 0, sizeof(b));
	strcpy(b.ns, NS);
	strcpy(b.secId, SEC);
	strcpy(b.bmId, id);
	return b;
}

static void show(const char *who, const char *id)
{
	BmInfo b = name(id);
	BmStat st;
	char *p = NULL;

	TRY(BM_Init(NULL, 0));		/* after fork: no references yet */
	TRY(BM_GetSec(&b, 0));		/* a reference: it stays while used */
	TRY(BM_MapSec(&b, PROT_READ, BM_MAP_SHARED, (void **)&p));
	TRY(BM_StatSec(&b, &st));
	printf("  %-8s %-10s %s, %zu bytes, refs %llu, maps %u: \"%s\"\n",
	       who, id, b.type == BM_TYPE_SHARED_RO ? "shared" : "private",
	       b.size, (unsigned long long)st.refCount, st.mapCount, p);
	TRY(BM_Unmap(b.bmId, p));
	TRY(BM_PutSec(&b, 0));
	TRY(BM_Exit());
}

static void reader(const char *who, const char *id)
{
	pid_t pid = fork();

	if (pid == 0) {
		show(who, id);
		exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	BmInfo data = name("dataset"), v2 = name("dataset-v2");
	QueryNsCache q[16];
	char *p = NULL;
	int n;

	TRY(BM_Init(NULL, 0));
	TRY(BM_CreateNSSec(NULL, NS, 0, SEC));

	puts("1. The producer allocates a private object and fills it.");
	TRY(BM_AllocSec(&data, SIZE, 0, NULL));
	static const char text[] = "the original data set";
	TRY(BM_WriteSec(&data, 0, sizeof(text), text, 0));
	printf("  %s in pool %s: %zu bytes, private\n", data.bmId,
	       data.poolName, data.size);

	puts("2. It publishes it: shared and read-only for everyone, for good.");
	TRY(BM_PublishSec(&data, 0));

	puts("3. Two readers map the shared memory itself: no local copy.");
	reader("reader1", "dataset");
	reader("reader2", "dataset");

	puts("4. An editor maps it MAP_PRIVATE, writes (copy-on-write: only the"
	     "\n   touched page is copied into its memory), and commits.");
	if (fork() == 0) {
		BmInfo d = name("dataset");

		TRY(BM_Init(NULL, 0));
		TRY(BM_MapSec(&d, PROT_READ | PROT_WRITE, BM_MAP_PRIVATE,
			      (void **)&p));
		strcpy(p, "the EDITED data set");
		TRY(BM_CommitSec(p, d.size, &v2, BM_COMMIT_PUBLISH));
		printf("  editor   committed %s, shared: %s\n", v2.bmId,
		       v2.type == BM_TYPE_SHARED_RO ? "yes" : "no");
		TRY(BM_Unmap(d.bmId, p));
		TRY(BM_PutSec(&v2, 0));
		TRY(BM_Exit());
		exit(0);
	}
	wait(NULL);

	puts("5. The readers see the new version; the original is unchanged.");
	reader("reader1", "dataset-v2");
	reader("reader2", "dataset");

	puts("6. The namespace now holds:");
	n = BM_QueryNSCache(q, sizeof(q));
	for (int i = 0; i < n; i++)
		if (!strcmp(q[i].ns, NS))
			printf("  %s/%s: %llu objects, %llu bytes\n", q[i].poolName,
			       q[i].ns, (unsigned long long)q[i].objectCount,
			       (unsigned long long)q[i].bytes);

	puts("7. Clean up: free both, destroy the namespace.");
	TRY(BM_FreeSec(&v2, 0));
	TRY(BM_FreeSec(&data, 0));
	TRY(BM_DestroyNSSec(NULL, NS, SEC));
	TRY(BM_Exit());
	return 0;
}
