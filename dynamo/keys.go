package dynamo

import (
	"fmt"
	"strconv"
	"strings"

	"pause"
)

// This file is the only place where key strings are built or taken apart. Every item of the
// table has a partition key PK and a sort key SK; content items also carry the key attributes
// of the list indexes. See doc.go for the design.

// Attribute names of the table's and the indexes' keys.
const (
	attrPK = "PK"
	attrSK = "SK"
	// attrListPK is the partition key of every list index: one partition per type and status.
	attrListPK = "LPK"
	// Sort keys of the list indexes: pause.SortKey of the item in the index's order.
	attrByPublishedAt = "KPublishedAt"
	attrByUpdatedAt   = "KUpdatedAt"
	attrByTitle       = "KTitle"
	attrByPosition    = "KPosition"
	// attrCount is the number a counter item holds.
	attrCount = "n"
)

// Names of the list indexes (global secondary indexes).
const (
	indexByPublishedAt = "ByPublishedAt"
	indexByUpdatedAt   = "ByUpdatedAt"
	indexByTitle       = "ByTitle"
	indexByPosition    = "ByPosition"
)

// listIndex is a global secondary index that lists items of a type and status in one order.
type listIndex struct {
	name   string // index name
	sortBy string // attribute name of its sort key
}

// indexOf returns the index that lists in the order o. TITLE and NAME share one index: both
// sort by the lower-cased title (an article's or benefit's Title, a tool's Name).
func indexOf(o pause.Order) (listIndex, bool) {
	switch o {
	case pause.OrderPublishedAt:
		return listIndex{indexByPublishedAt, attrByPublishedAt}, true
	case pause.OrderUpdatedAt:
		return listIndex{indexByUpdatedAt, attrByUpdatedAt}, true
	case pause.OrderTitle, pause.OrderName:
		return listIndex{indexByTitle, attrByTitle}, true
	case pause.OrderPosition:
		return listIndex{indexByPosition, attrByPosition}, true
	}
	return listIndex{}, false
}

// listIndexes are all the list indexes, for the table definition.
var listIndexes = []listIndex{
	{indexByPublishedAt, attrByPublishedAt},
	{indexByUpdatedAt, attrByUpdatedAt},
	{indexByTitle, attrByTitle},
	{indexByPosition, attrByPosition},
}

// Sort keys of the items that share a content item's partition.
const (
	skItem = "ITEM" // the item itself (for articles: everything but the body)
	skBody = "BODY" // an article's Body and BodyHTML
	// skDraftBody is the Body and BodyHTML of an article's working draft (pause.DraftOf).
	skDraftBody = "DRAFTBODY"
	skSlug      = "SLUG" // a slug marker
)

// revisionSK is the sort key of an item's revision, in its partition: REV#<number, 10 digits>,
// so that a Query of the partition from the end reads the newest first. Every other sort key
// of the partition (BODY, DRAFTBODY, ITEM) sorts before "REV#".
func revisionSK(n int) string { return fmt.Sprintf("%s%010d", revisionPrefix, n) }

const revisionPrefix = "REV#"

// kindKey is a content type as keys spell it: ARTICLE, BENEFIT, TOOL, its name upper-cased.
// The constants (kindArticle) are written by tools/contentgen, in content.generated.go.
type kindKey string

// itemPK is the partition of a content item and its body: ARTICLE#<id>.
func itemPK(k kindKey, id string) string { return string(k) + "#" + id }

// itemIDOf returns the id in an item's partition key.
func itemIDOf(k kindKey, pk string) (string, bool) { return strings.CutPrefix(pk, itemPK(k, "")) }

// slugPK is the partition of a slug marker: SLUG#ARTICLE#<slug>. The marker holds the id of
// the item that has the slug; it exists exactly as long as that item has that slug.
func slugPK(k kindKey, slug string) string { return "SLUG#" + string(k) + "#" + slug }

// listPK is the list index partition of a type's items in a status: ARTICLE#PUBLISHED.
func listPK(k kindKey, s pause.Status) string { return string(k) + "#" + string(s) }

// scheduledPK is the list index partition of a type's items that have a scheduled change of
// status (pause.Meta.ScheduledAt), whatever their status: ARTICLE#SCHEDULED. They stay in it
// until their next write, which makes the change part of the item.
func scheduledPK(k kindKey) string { return string(k) + "#SCHEDULED" }

// counterPK is the partition of a type's counters: COUNT#TOOL.
func counterPK(k kindKey) string { return "COUNT#" + string(k) }

// facet is a single-valued property by which items are counted: a tag, an author, a
// category, a pricing model, or whether a tool is featured. The facets of each type come from
// its filter's fields; tools/contentgen writes their names (facetTag) in content.generated.go.
type facet struct {
	name  string // TAG, AUTHOR, CATEGORY, PRICING, FEATURED
	value string
}

// boolFacet is the facet of a boolean field: "true" or "false".
func boolFacet(name string, b bool) facet { return facet{name, strconv.FormatBool(b)} }

// counterSK is the sort key of the counter of items in the status with the facet, or of all
// items in the status when f is nil: PUBLISHED, PUBLISHED#TAG#<tag>, PUBLISHED#CATEGORY#<name>.
// The value is the rest of the key, so a value may contain '#'.
func counterSK(s pause.Status, f *facet) string {
	if f == nil {
		return string(s)
	}
	return string(s) + "#" + f.name + "#" + f.value
}

// categoryPrefix is the sort-key prefix of the counters of published tools by category.
func categoryPrefix() string {
	return counterSK(pause.StatusPublished, &facet{facetCategory, ""})
}

// categoryOf returns the category named by a counter sort key that starts with categoryPrefix.
func categoryOf(sk string) (string, bool) { return strings.CutPrefix(sk, categoryPrefix()) }

// apiKeysPK is the partition that holds every API key, one item per key with its id as the
// sort key: a Query lists them by id, and ids are ULIDs, so newest last.
func apiKeysPK() string { return "APIKEY" }

// apiKeyHashPK is the partition of the copy of an API key kept under the hash of its secret,
// so that authenticating a key is one GetItem: APIKEYHASH#<hash>, sort key skHash.
func apiKeyHashPK(hash string) string { return "APIKEYHASH#" + hash }

const skHash = "HASH"

// statuses are the partitions of a type's lists, in the order a merged list reads them.
var statuses = []pause.Status{pause.StatusDraft, pause.StatusPublished, pause.StatusArchived}

// Limits on key parts. DynamoDB allows 2048 bytes for a partition key and 1024 for a sort key;
// an index sort key is a title (200 characters, at most 800 bytes lower-cased), a NUL and the id.
const maxID = 128

// validID reports whether id can be part of a key: 1 to maxID bytes, none of them NUL (the
// separator in sort keys).
func validID(id string) bool {
	return id != "" && len(id) <= maxID && !strings.ContainsRune(id, 0)
}

// positionID returns the id at the end of a list position (a pause.SortKey): every sort key
// is a value, a NUL and the item's id. ok is false if p is not such a key.
func positionID(p string) (id string, ok bool) {
	i := strings.LastIndexByte(p, 0)
	if i < 0 || len(p) > 1024 {
		return "", false
	}
	id = p[i+1:]
	return id, validID(id)
}

// auditPK is the partition of the audit log: one item per change, its sort key
// pause.AuditKey, so that a backwards Query reads the newest first.
func auditPK() string { return "AUDIT" }

// idempotencyPK is the partition of the record of a request sent with an Idempotency-Key (the
// hash of the caller and the key); its sort key is skIdempotency.
func idempotencyPK(key string) string { return "IDEMPOTENCY#" + key }

const skIdempotency = "REQUEST"

// Accounts (see users.go). Users are few: every user is one item of the USERS partition under
// its id, so that listing them is one Query. The indexes that find a user by email, by single
// sign-on identity and by setup link are items of their own that hold the id. A user's
// sessions are items of the partition USERSESSION#<user id> under the session's id, copies of
// the item SESSION#<hash of the secret> that finds a session by its cookie.
const (
	attrTTL   = "ttl"     // DynamoDB's time to live: expiry in Unix seconds
	skIndex   = "INDEX"   // the sort key of an index item
	skSession = "SESSION" // the sort key of a session found by its hash
	skFailure = "FAILURE" // the sort key of a failure count
)

// usersPK is the partition of every user, with the id as its sort key.
func usersPK() string { return "USERS" }

// userEmailPK is the partition of the item that holds the id of the user with the email.
func userEmailPK(email string) string { return "USEREMAIL#" + email }

// userIdentityPK is the partition of the item that holds the id of the user a single sign-on
// issuer knows by the subject; the two are hashed, as an issuer URL may hold any character.
func userIdentityPK(issuer, subject string) string {
	return "USERIDENTITY#" + pause.HashSecret(issuer+"\x00"+subject)
}

// userLinkPK is the partition of the item that holds the id of the user whose setup link has
// the hash.
func userLinkPK(hash string) string { return "USERLINK#" + hash }

// sessionPK is the partition of the session whose secret has the hash.
func sessionPK(hash string) string { return "SESSION#" + hash }

// userSessionsPK is the partition of the copies of a user's sessions, by session id.
func userSessionsPK(userID string) string { return "USERSESSION#" + userID }

// failurePK is the partition of the count of failed sign-ins under the key.
func failurePK(key string) string { return "FAILURE#" + key }

// feedPK is the partition of the change feed: the generation item (sort key skGeneration)
// and the events of the outbox, whose sort key is eventSK of their generation, so that a
// Query of the partition reads them in order.
func feedPK() string { return "FEED" }

const skGeneration = "GENERATION"

// eventSK is the sort key of the event of the generation: EVENT#<generation, 20 digits>. It
// sorts after skGeneration.
func eventSK(gen uint64) string { return fmt.Sprintf("%s%020d", eventPrefix, gen) }

const eventPrefix = "EVENT#"

// webhooksPK is the partition of the webhook endpoints, one item per endpoint with its id as
// the sort key.
func webhooksPK() string { return "WEBHOOK" }

// deliveriesPK is the partition of an endpoint's deliveries, whose sort keys are their ids
// (ULIDs: a backwards Query reads the newest first): WEBHOOKDELIVERY#<endpoint id>.
func deliveriesPK(endpointID string) string { return "WEBHOOKDELIVERY#" + endpointID }

// mediaPK is the partition of the media library: one item per media item under its id (a
// ULID), so that a backwards Query lists the library newest first.
func mediaPK() string { return "MEDIA" }
