package pause

import (
	"context"
	"strings"
	"time"
)

// Role is what a caller may do. Its values are the GraphQL enum's.
type Role string

// Roles, from least to most trusted.
const (
	RoleAnonymous Role = "ANONYMOUS"
	RoleViewer    Role = "VIEWER" // reads drafts
	RoleEditor    Role = "EDITOR" // also creates, edits, publishes, deletes
	RoleAdmin     Role = "ADMIN"  // everything
)

var roleRank = map[Role]int{RoleAnonymous: 0, RoleViewer: 1, RoleEditor: 2, RoleAdmin: 3}

// ParseRole reads a role as tokens carry it ("editor", "ADMIN"). ok is false for unknown roles.
func ParseRole(s string) (r Role, ok bool) {
	r = Role(strings.ToUpper(strings.TrimSpace(s)))
	_, ok = roleRank[r]
	return r, ok && r != RoleAnonymous
}

// IsValid reports whether r is one of the roles.
func (r Role) IsValid() bool { _, ok := roleRank[r]; return ok }

// Viewer is the caller of a request: who they are and what role they hold.
type Viewer struct {
	Subject string
	Role    Role
}

// Anonymous is the viewer of requests that carry no credentials.
var Anonymous = &Viewer{Role: RoleAnonymous}

// Authenticated reports whether the viewer presented valid credentials.
func (v *Viewer) Authenticated() bool { return v != nil && v.Role != RoleAnonymous && v.Role != "" }

// Has reports whether the viewer's role is at least r.
func (v *Viewer) Has(r Role) bool { return v != nil && roleRank[v.Role] >= roleRank[r] }

// CanReadDrafts reports whether the viewer may see content that is not published.
func (v *Viewer) CanReadDrafts() bool { return v.Has(RoleViewer) }

// Require returns EUNAUTHENTICATED for anonymous viewers and EFORBIDDEN for viewers whose role
// is below r.
func (v *Viewer) Require(r Role) error {
	if !v.Authenticated() {
		return Errorf(EUNAUTHENTICATED, "Sign in to do this: send Authorization: Bearer <token>.")
	}
	if !v.Has(r) {
		return Errorf(EFORBIDDEN, "Your role %s may not do this; it needs %s.", v.Role, r)
	}
	return nil
}

type viewerKey struct{}

// NewContext returns a context that carries the viewer.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer in ctx, or Anonymous if there is none.
func ViewerFrom(ctx context.Context) *Viewer {
	if v, ok := ctx.Value(viewerKey{}).(*Viewer); ok && v != nil {
		return v
	}
	return Anonymous
}

// AuditOf returns the item's metadata for showing who changed it, or nil if the viewer in ctx
// may not see that: subjects of editors and API keys are not for anonymous callers.
func AuditOf(ctx context.Context, m *Meta) *Meta {
	if !ViewerFrom(ctx).Authenticated() {
		return nil
	}
	return m
}

// Schedule is an item's pending scheduled change of status.
type Schedule struct {
	At     time.Time
	Status Status
	By     string
}

// ScheduleOf returns the item's pending scheduled change, or nil if it has none or the viewer
// in ctx may not read drafts (a schedule tells what the public will see).
func ScheduleOf(ctx context.Context, m *Meta) *Schedule {
	if m.ScheduledAt == nil || !ViewerFrom(ctx).CanReadDrafts() {
		return nil
	}
	return &Schedule{At: *m.ScheduledAt, Status: m.ScheduledStatus, By: m.ScheduledBy}
}
