// Package dynamo keeps pause's content in one DynamoDB table: it implements pause.Store for
// articles and benefits and pause.ToolStore for tools, with one generic implementation, and
// pause.KeyStore for API keys, on
// aws-sdk-go-v2 and its attributevalue and expression packages. It imports the root package
// pause and the AWS SDK, and nothing else of Pause's.
//
// Use it as
//
//	client := dynamo.NewClient(awsConfig)             // an aws.Config: region, credentials, endpoint
//	err := dynamo.CreateTable(ctx, client, "pause")   // local use and tests; infra makes the real one
//	stores := dynamo.New(dynamo.Config{Client: client, Table: "pause"}).Stores()
//	ctx, meter := dynamo.WithMeter(ctx)               // per GraphQL operation; log meter.Usage()
//
// # Table
//
// One table, billed on demand, with a string partition key PK and a string sort key SK, and
// four global secondary indexes that all share the partition key LPK ("list partition"):
//
//	index           partition  sort key       orders served
//	ByPublishedAt   LPK        KPublishedAt   PUBLISHED_AT (articles)
//	ByUpdatedAt     LPK        KUpdatedAt     UPDATED_AT (articles, tools)
//	ByTitle         LPK        KTitle         TITLE (articles), NAME (tools)
//	ByPosition      LPK        KPosition      POSITION (benefits)
//
// Every index projects ALL attributes. TableDefinition returns this as data; keys.go is the
// only place where key strings are made, from the key prefix of each content type.
//
// # Generated storage code
//
// What is per content type is written by tools/contentgen (`go generate ./...`) in
// content.generated.go, from the type's declaration (pause.ContentType), its Go struct and its
// filter: its key prefix (the type's name upper-cased: ARTICLE, TOOL, BENEFIT; a caseStudy
// would be CASESTUDY), its item struct (each field under its API name, a nested struct as a
// map), which Markdown field, if any, is kept in a body item (the largest, when the type's
// Markdown fields would not fit in the item: an article's body), its facets (one per filter
// field, named as the field upper-cased and valued as the declared field its `field` tag
// names) and their filter conditions, and the construction of its store. The file's header says
// the rules; TestStoredFormat holds the items it writes to golden files of the format that
// production tables hold.
//
// # Items
//
//	item            PK                   SK                          other attributes
//	content item    ARTICLE#<id>         ITEM                        the fields but an article's body;
//	                TOOL#<id>, BENEFIT#<id>                          LPK = ARTICLE#<status>, and a
//	                                                                 K* sort key per order of the type
//	article body    ARTICLE#<id>         BODY                        body, html: gzipped Markdown and HTML
//	draft body      ARTICLE#<id>         DRAFTBODY                   the same, of the article's working draft
//	revision        ARTICLE#<id>         REV#<number, 10 digits>     number, at, by, action, fields, item (a map:
//	                TOOL#<id>, BENEFIT#<id>                          the item and its draft as the write left them),
//	                                                                 body, draftBody (gzipped Markdown; no HTML)
//	audit entry     AUDIT                <time>\0<type>\0<id>\0<version>[\0delete]
//	                                                                 at, actor, action, itemType, itemId,
//	                                                                 version, fields
//	slug marker     SLUG#ARTICLE#<slug>  SLUG                        id of the item with the slug
//	counter         COUNT#ARTICLE        <status>                    n: items of the type in the status
//	                                     <status>#TAG#<tag>          … with the tag
//	                                     <status>#AUTHOR#<name>      … by the author (articles)
//	                                     <status>#CATEGORY#<name>    … in the category (tools)
//	                                     <status>#PRICING#<model>    … with the pricing (tools)
//	                                     <status>#FEATURED#<bool>    … featured or not (tools)
//	API key         APIKEY               <id>                        the key: name, role, hint, hash, …
//	API key by hash APIKEYHASH#<hash>    HASH                        the same attributes, a copy
//
// The index sort key of an order is pause.SortKey(item, order) — the value, a NUL, the id — so
// the indexes order items exactly as the embedded store does (DynamoDB compares strings by
// their UTF-8 bytes; TestUnicodeOrder checks it on DynamoDB Local). A content item is in the
// index partition of its status only: ARTICLE#PUBLISHED, ARTICLE#DRAFT, ARTICLE#ARCHIVED —
// unless it has a scheduled change of status (pause.Meta.ScheduledAt), see below.
// Body items, slug markers and counters have no LPK and so are in no index.
//
// A working draft (the pending edits of a published item, pause.DraftOf) is the map attribute
// "draft" of its content item, in the type's own storage shape; an article draft's body is its
// DRAFTBODY item. Keys, index keys and counters are made from the published fields only, so a
// draft is in no list partition, count or slug marker of its own: the public cannot reach it,
// and its slug is claimed when it is published. It costs no request of its own: Get reads it
// with the item (an article's Query reads the partition's ITEM, BODY and DRAFTBODY), lists
// carry it in the projected item (without body), and writes put it with the item and the
// draft body beside the body, in the same transaction. It adds its size to the item's, and
// GetMany and Update ask for a third key per article (the draft body, usually missing).
//
// # Scheduled changes of status
//
// An item scheduled to be published or unpublished (scheduledAt, scheduledStatus and
// scheduledBy attributes) is kept out of the status partitions: its LPK is ARTICLE#SCHEDULED
// (scheduledPK), and it counts in no counter, since its status depends on the time and no job
// runs at that time. Reads merge it in, comparing scheduledAt with the time the CMS gives them
// (pause.Filter.AsOf, the CMS clock), so that lists, counts and categories agree at the
// instant exactly:
//
//	pattern                       operation                                     requests  cost
//	List                          the status partitions as before, and the      +1        0.5 RCU per 4 KB of the scheduled
//	                              scheduled partition in parallel, merged by              items read (few)
//	                              sort key; Match (the status at the time) decides
//	List, scheduled only          Query of the scheduled partition              1         the same
//	Count                         the counters as before, plus a Query of the   +1        0.5 RCU per 4 KB of the scheduled items
//	                              scheduled partition counted by Match
//	Categories                    the counters as before, plus a Query of the   +1        the same
//	                              scheduled partition
//
// The item leaves the scheduled partition with its next write, which makes the change part of
// the stored item (status, publishedAt, publishedBy) and moves it to its status partition and
// counters in the same transaction. So the scheduled partition holds the items scheduled since
// their last write: a handful on a site of this size. An item whose time has passed and that
// nobody writes again stays in it and keeps costing its few bytes on each of those reads.
// Every read is still a Query by key: nothing scans. Sort keys do not move at the scheduled
// time: an item scheduled to be first published sorts by PUBLISHED_AT at its scheduled time
// (pause.SortKey), which is what its publishedAt becomes.
//
// # Revisions
//
// Every write through pause.CMS keeps a revision (pause.Revision), numbered by the version it
// made, as an item of the content item's own partition, put in the write's TransactWriteItems;
// the same transaction deletes the revision that falls out of the kept number (Change.Prune:
// numbers are versions, so it is exactly one). Revisions have no LPK: they are in no index.
// Get's Query of the partition stops at ITEM (SK <= "ITEM"), so it never reads them.
//
//	pattern                       operation                                     requests  cost
//	Revisions (a page of n)       Query PK=<TYPE>#<id>, SK between REV#0 and    1         ⌈size of n+1 revisions/4⌉ RCU
//	                              the cursor, backwards, Limit n+1, consistent
//	each write                    + put of the revision, + delete of the pruned  0         2⌈R⌉ + 2 WCU (R: the revision's KB)
//	Delete                        + Query of the revision keys (keys only), and  +1        the keys' RCU; 2 WCU per revision
//	                              their deletes in the same transaction (50 by
//	                              default: within the 100 actions)
//
// # Audit log
//
// Every write through pause.CMS (and every delete, and the creation and revocation of API keys)
// also puts an audit entry (pause.AuditEntry) in the same TransactWriteItems, under the partition AUDIT with the sort key
// pause.AuditKey: the time first, so that the newest sort last. Entries outlive revisions and
// deleted items. One partition takes every write of the site: DynamoDB allows about 1000
// writes a second on it, far above an editorial team's pace.
//
//	pattern                       operation                                     requests  cost
//	AuditLog (a page of n)        Query PK=AUDIT backwards from the cursor,     1+        0.5 RCU… per 4 KB read; a filter
//	                              consistent, Limit n+1; a filter (type, id,              (FilterExpression) reads as filtered
//	                              actor) is a FilterExpression with the growing           lists do
//	                              Limit of filtered lists
//	each write                    + put of the entry                            0         2 WCU
//
// A write now holds, per item, the item, its revision, its audit entry and, past the kept
// number, the delete of the pruned revision: an Update of many items (ReorderBenefits) fits
// the 100 actions of a transaction up to about 25 items.
//
// An article's body is a separate item so that list pages, which read the indexes, never read
// bodies: a page's cost is its summaries'. Body and HTML are gzipped, because 200 KB of
// Markdown (pause.MaxBody) and its HTML may not fit one 400 KB item as text, and because it
// divides the units an article page costs by about three. Tools' descriptions (50 KB) and
// benefits' summaries (20 KB) stay in their items: lists show them.
//
// # Access patterns and their cost
//
// Units: a strongly consistent read costs 1 RCU per 4 KB, an eventually consistent one 0.5;
// a write 1 WCU per KB, a transactional write 2 WCU per KB of each item. Item and counter
// reads are strongly consistent for signed-in callers and for the reads of a write (a version
// read just before a write must be current), and eventually consistent, at half the units,
// when the context allows it (pause.EventuallyConsistent: the CMS allows it for anonymous
// visitors, who may see a write a fraction of a second late); index reads are eventually
// consistent, as DynamoDB allows no other. The costs below are strongly consistent ones. S is
// the size of an item in KB, B of a gzipped body.
//
//	pattern                       operation                                     requests  cost
//	Get (article)                 Query PK=ARTICLE#<id>, consistent: item+body  1         ⌈(S+B)/4⌉ RCU
//	                              (+draft body)
//	Get (tool, benefit)           GetItem ITEM, consistent                      1         ⌈S/4⌉ RCU
//	GetBySlug                     GetItem marker, then Get; on a warm instance  2 (1 warm) 1 RCU + Get
//	                              the id remembered, Get only (see below)
//	GetMany (related tools, …)    BatchGetItem, consistent, 100 keys a request  1 per 100 keys (an article is 2 keys)
//	                              (UnprocessedKeys retried with backoff)                  ⌈S/4⌉ RCU per item
//	List, one status              Query index, LPK=<TYPE>#<status>, Limit=n+1   1         0.5 RCU per 4 KB of n+1 summaries
//	List, all statuses (editors)  the three status partitions in parallel,     3         up to 3× the above
//	                              merged by sort key
//	List with tag/author/category/pricing/featured
//	                              Query with FilterExpression, repeated with a Limit that grows from
//	                              max(2(n+1), 20) by doubling up to 1000 until n+1 items match or the
//	                              partition ends: no short page. Reads are charged for every item
//	                              read, matching or not: for a filter that matches a fraction f of
//	                              the partition, about (n+1)/f summaries; a rare match may read the
//	                              whole partition (1 request per 1 MB).
//	Count, status and ≤1 facet    GetItem of one counter, consistent (beside    1         1 RCU
//	                              the scheduled partition's Query, at once)
//	Count, no status              BatchGetItem of the 3 status counters         1         3 RCU
//	Count, 2+ facets (e.g. tag    Query each status partition, Select COUNT,    1 per partition and MB
//	and author, which no counter  FilterExpression: counted by DynamoDB, but    0.5 RCU per 4 KB of every item of the
//	covers)                       every item is read                            partitions
//	Categories                    Query COUNT#TOOL begins_with                  1         ⌈size/4⌉ RCU (a few bytes per category)
//	                              PUBLISHED#CATEGORY#, consistent
//	Create                        TransactWriteItems: item (attribute_not_exists), body, slug marker
//	                              (attribute_not_exists), +1 on each counter
//	                                                                            1         2⌈S⌉ + 2⌈B⌉ + 2 + 2·counters WCU,
//	                                                                                      plus ⌈S⌉ per index of the type
//	Update (n items)              the stored items as the CMS read them (pause.Revision.Before; else a
//	                              BatchGetItem of them, with bodies), then TransactWriteItems:
//	                              each item at its version (version = v), its body only if it changed,
//	                              the slug markers that move (delete old with id = <id>, put new with
//	                              attribute_not_exists), and the counters whose delta is not 0
//	                                                                            1 (2)     reads: 0 (⌈(S+B)/4⌉ RCU per item);
//	                                                                                      writes: 2⌈S⌉ (+2⌈B⌉) (+4) + 2·changed counters
//	                                                                                      WCU, plus ⌈S⌉ per index (2⌈S⌉ when the
//	                                                                                      index key moves)
//	Delete                        GetItem, then TransactWriteItems: item at its version, body, marker
//	                              (id = <id>), −1 on each counter
//	                                                                            2         1 RCU; 2⌈S⌉ + 2⌈B⌉ + 2 + 2·counters WCU
//	KeyByHash (every request      GetItem APIKEYHASH#<hash>, consistent         1         1 RCU
//	with an API key)
//	Keys                          Query APIKEY, newest id first, consistent     1         ⌈size/4⌉ RCU
//	CreateKey                     TransactWriteItems: both items,               1         6 WCU
//	                              attribute_not_exists, and the audit entry
//	RevokeKey                     GetItem, TransactWriteItems: SET revokedAt =  3         2 RCU, 6 WCU
//	                              if_not_exists(...) on both, the audit entry;
//	                              GetItem
//	CreateTable                   CreateTable, then DescribeTable until ACTIVE
//
// Counters: a content item counts in 1 + its facets counters (an article: status, author and
// each tag; a tool: status, category, pricing, featured and each tag; a benefit: status only).
// A publish moves all of them from one status to the other, so it writes twice as many. A
// change of at most 20 tags stays within the 100 actions of a transaction (51 at most for a
// tool); an Update of many items (ReorderBenefits: up to 100 benefits, whose counters do not
// change) fails with BAD_USER_INPUT beyond 100 actions, and transactions are also limited to
// 4 MB. Counters that fall to zero stay, at zero, and Categories leaves them out.
//
// The seed page (published articles, published benefits, the count of published tools) costs
// 6 requests whatever the page size — 5 Query and 1 GetItem: 3 of the Query read the (small)
// scheduled partitions — as long as a page of summaries stays under DynamoDB's 1 MB per Query
// (TestSeedPageCost measures it with a Meter). The requests of one list run in parallel.
//
// No operation scans the table: every read is a GetItem, a BatchGetItem or a Query by key.
// Exports go through List, page by page.
//
// # Round trips
//
// A request waits for DynamoDB as few times in sequence as its reads allow (fast.go;
// bench/waves_test.go counts the sequential round trips of each public query behind a proxy
// that delays each one). Reads that do not depend on each other run at once: a list's
// partitions, a count's counters and its scheduled partition, the category counters and the
// scheduled tools. What a warm instance remembers saves the reads that would otherwise come
// first, and the read that follows checks it, so a wrong memory costs a round trip, never a
// wrong answer: the id of each slug read (GetBySlug reads that item at once and keeps it if it
// still has the slug, which only the slug's owner can have), and each filter's share of its
// partition (a filtered list's first Query asks for as many items as the share says hold a
// page, so that it rarely needs a second). A write does not read again what the CMS read:
// its transaction's version condition already guarantees that the stored item is the one the
// CMS read. Each memory holds at most 4096 entries per store and starts again when full.
//
// # Cursors
//
// Page.Cursors[i] is pause.EncodeCursor(order, pause.SortKey(item i)): the position of the
// item, which is the only free part of the LastEvaluatedKey of a Query that stops at it. The
// next page's ExclusiveStartKey is rebuilt from it: LPK from the query's own filter (never
// from the cursor), the index sort key from the position, and the table key from the id at
// the end of the position. So a cursor can only move a query within its own partition: a
// public list given a draft's position starts after that position among published items. A
// cursor of another order, or one that does not decode, whose position has no id after its
// NUL, or that is too long for an index key (1024 bytes), gets BAD_USER_INPUT on the field
// "after". Cursors are the embedded store's, so a client may keep them across stores.
//
// # Concurrency and failures
//
// Every write is one TransactWriteItems, so nothing is ever half-written. Its conditions keep
// the invariants: the item's version (optimistic locking), attribute_not_exists on a new item
// and on a claimed slug marker (unique ids and slugs), and id = <id> on a released marker. A
// cancelled transaction is mapped by its CancellationReasons, action by action: a failed
// condition on a content item is NOT_FOUND if DynamoDB returned no old item (ALL_OLD) and
// CONFLICT otherwise, on a claimed slug marker CONFLICT with the field "slug", on a new item
// CONFLICT (the id exists). Reasons that pass by themselves (TransactionConflict: another
// transaction on one of the items, typically a shared counter; throttling) make the store
// retry the transaction with jittered exponential backoff, 12 attempts at most (about 3 s);
// DynamoDB Local runs transactions one at a time and never reports them, so
// TestTransientCancellationIsRetried plays the service's answers. The SDK keeps one
// ClientRequestToken across its own retries of an attempt, so a transaction whose answer was
// lost is not applied twice.
//
// Throttling and transient errors of single requests go through the SDK's standard retryer (3
// attempts). When DynamoDB is unreachable, times out or keeps throttling beyond that, calls
// return pause.EUNAVAILABLE with a plain sentence for the user, and the SDK's error wrapped
// after it for the log. NewClient bounds connections to 2 s and requests to 10 s.
//
// # Cost visibility
//
// WithMeter puts a Meter in a context; a middleware that the stores add to each call counts
// the requests, the HTTP attempts and the capacity DynamoDB reports (ReturnConsumedCapacity
// TOTAL) into it. The server makes one per GraphQL operation and logs Meter.Usage().
//
// # Tests
//
// The tests run against Amazon's DynamoDB Local from npm (tools/dynamodb-local), started by
// tools/dynamodb-local/with-dynamodb.sh, which exports PAUSE_TEST_DYNAMODB_ENDPOINT. Without
// it they skip, but fail when CI=true. Each test makes a table with a random name.
package dynamo
