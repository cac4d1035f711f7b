package pause

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one change in the audit log: who did what to which item, when. Stores write
// it in the same atomic write as the change it records, from the change's Revision (see
// Meta.Change), and keep it when the item's revisions are pruned or the item is deleted.
type AuditEntry struct {
	At     time.Time
	Actor  string
	Action string // a Revision's Action, delete, createApiKey or revokeApiKey
	// ItemType is article, benefit, tool or apiKey.
	ItemType string
	ItemID   string
	// Version is the version the change made (for delete, the version deleted).
	Version int
	Fields  []string
}

// NewAuditEntry returns the entry that records the change of the item of the type.
func NewAuditEntry(itemType, id string, c *Revision) *AuditEntry {
	return &AuditEntry{At: c.At, Actor: c.By, Action: c.Action, ItemType: itemType, ItemID: id,
		Version: c.Number, Fields: c.Fields}
}

// KeyCreatedEntry returns the entry that records the creation of the API key: KeyStore.CreateKey
// writes it with the key.
func KeyCreatedEntry(k *APIKey) *AuditEntry {
	return &AuditEntry{At: k.CreatedAt, Actor: k.CreatedBy, Action: "createApiKey", ItemType: "apiKey",
		ItemID: k.ID, Version: 1, Fields: []string{}}
}

// KeyRevokedEntry returns the entry that records the revocation of the API key with the id at
// the time by the subject: KeyStore.RevokeKey writes it with the revocation.
func KeyRevokedEntry(id string, at time.Time, by string) *AuditEntry {
	return &AuditEntry{At: at, Actor: by, Action: "revokeApiKey", ItemType: "apiKey",
		ItemID: id, Version: 2, Fields: []string{"revokedAt"}}
}

// AuditKey is the entry's place in the log: the log lists greater keys first (newest first).
// Keys are unique: an item's version is made once, and deleted once (a deletion sorts after
// the write it deletes).
func AuditKey(e *AuditEntry) string {
	k := fmt.Sprintf("%s\x00%s\x00%s\x00%010d", timeKey(e.At), e.ItemType, e.ItemID, e.Version)
	if e.Action == "delete" {
		k += "\x00delete"
	}
	return k
}

// OrderAudit is the order of the audit log: newest first. Its cursors are EncodeCursor's.
const OrderAudit Order = "AUDIT"

// AuditFilter selects audit entries. Zero fields select everything.
type AuditFilter struct {
	ItemType string
	ItemID   string
	Actor    string
}

// Match reports whether the entry passes the filter.
func (f AuditFilter) Match(e *AuditEntry) bool {
	return (f.ItemType == "" || e.ItemType == f.ItemType) && (f.ItemID == "" || e.ItemID == f.ItemID) &&
		(f.Actor == "" || e.Actor == f.Actor)
}

// AuditStore reads the audit log, which the content stores write.
type AuditStore interface {
	// AuditLog returns up to q.First entries that match q.Filter, newest first (by AuditKey),
	// after the cursor q.After (EncodeCursor(OrderAudit, key)), with their cursors; a cursor of
	// another list gets EINVALID (field "after").
	AuditLog(ctx context.Context, q Query[AuditFilter]) (*Page[*AuditEntry], error)
}

// AuditLog returns a page of the audit log, newest first. Admins only.
func (c *CMS) AuditLog(ctx context.Context, q Query[AuditFilter]) (*Page[*AuditEntry], error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	if q.First < 0 || q.First > MaxFirst {
		return nil, FieldErrorf("first", "first must be between 0 and %d", MaxFirst)
	}
	q.Order = OrderAudit
	return c.cfg.Stores.Audit.AuditLog(ctx, q)
}
