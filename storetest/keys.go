package storetest

import (
	"context"
	"strings"
	"time"

	"pause"
)

// testAPIKeys: admins make keys whose secret is shown once and stored only as a hash; a key
// authenticates with its role until it is revoked, and not a moment after.
func testAPIKeys(e *env) {
	k, secret, err := e.cms.CreateAPIKey(e.admin, "  CI build  ", pause.RoleEditor)
	e.must(err, "create an API key")
	if !strings.HasPrefix(secret, pause.APIKeyPrefix) || len(secret) < 30 {
		e.Fatalf("secret %q lacks the prefix or is short", secret)
	}
	if k.Name != "CI build" || k.Role != pause.RoleEditor || k.CreatedBy != "root" || k.Revoked() ||
		!k.CreatedAt.Equal(e.clock.Now()) || !strings.HasPrefix(secret, k.Hint) || len(k.Hint) >= len(secret)/2 {
		e.Fatalf("key = %+v", k)
	}
	other, otherSecret, err := e.cms.CreateAPIKey(e.admin, "Preview", pause.RoleViewer)
	e.must(err, "create a second key")

	v, err := e.cms.AuthenticateAPIKey(e.anon, secret)
	e.must(err, "authenticate with the key")
	if v.Role != pause.RoleEditor || v.Subject != "apikey:"+k.ID {
		e.Fatalf("viewer = %+v", v)
	}
	for _, bad := range []string{"", "pause_", secret + "x", strings.TrimPrefix(secret, pause.APIKeyPrefix), k.Hash, pause.APIKeyPrefix + strings.Repeat("a", 32)} {
		if _, err := e.cms.AuthenticateAPIKey(e.anon, bad); pause.ErrorCode(err) != pause.EUNAUTHENTICATED {
			e.Errorf("AuthenticateAPIKey(%q) = %v, want UNAUTHENTICATED", bad, err)
		}
	}

	keys, err := e.cms.APIKeys(e.admin)
	e.must(err, "list keys")
	if len(keys) != 2 || keys[0].ID != other.ID || keys[1].ID != k.ID {
		e.Fatalf("keys = %+v, want the two keys newest first", keys)
	}
	for _, stored := range keys {
		if stored.Hash == "" || strings.Contains(stored.Hash, secret) || strings.Contains(stored.Hash, otherSecret) ||
			stored.Hash == secret || stored.Hint == secret {
			e.Errorf("stored key %+v keeps the secret", stored)
		}
	}

	e.clock.Advance(time.Minute)
	revoked, err := e.cms.RevokeAPIKey(e.admin, k.ID)
	e.must(err, "revoke")
	if !revoked.Revoked() || !revoked.RevokedAt.Equal(e.clock.Now()) {
		e.Fatalf("revoked = %+v", revoked)
	}
	if _, err := e.cms.AuthenticateAPIKey(e.anon, secret); pause.ErrorCode(err) != pause.EUNAUTHENTICATED {
		e.Fatalf("a revoked key authenticated: %v", err)
	}
	if _, err := e.cms.AuthenticateAPIKey(e.anon, otherSecret); err != nil {
		e.Fatalf("revoking one key broke another: %v", err)
	}
	e.clock.Advance(time.Minute)
	again, err := e.cms.RevokeAPIKey(e.admin, k.ID)
	e.must(err, "revoke again")
	if !again.RevokedAt.Equal(revoked.RevokedAt.UTC()) {
		e.Errorf("second revoke moved the revocation time to %v", again.RevokedAt)
	}
	if _, err := e.cms.RevokeAPIKey(e.admin, "no-such-key"); pause.ErrorCode(err) != pause.ENOTFOUND {
		e.Errorf("revoke an unknown key: %v, want NOT_FOUND", err)
	}
	keys, err = e.cms.APIKeys(e.admin)
	e.must(err, "list keys after revoking")
	if len(keys) != 2 || !keys[1].Revoked() || keys[0].Revoked() {
		e.Errorf("keys after revoking = %+v", keys)
	}
}

// testAPIKeyPermissions: only admins manage keys, and keys have real roles.
func testAPIKeyPermissions(e *env) {
	for name, ctx := range map[string]struct {
		c    context.Context
		code string
	}{
		"anonymous": {e.anon, pause.EUNAUTHENTICATED}, "viewer": {e.viewer, pause.EFORBIDDEN}, "editor": {e.editor, pause.EFORBIDDEN},
	} {
		if _, _, err := e.cms.CreateAPIKey(ctx.c, "k", pause.RoleAdmin); pause.ErrorCode(err) != ctx.code {
			e.Errorf("%s creates a key: %v, want %s", name, err, ctx.code)
		}
		if _, err := e.cms.APIKeys(ctx.c); pause.ErrorCode(err) != ctx.code {
			e.Errorf("%s lists keys: %v, want %s", name, err, ctx.code)
		}
		if _, err := e.cms.RevokeAPIKey(ctx.c, "x"); pause.ErrorCode(err) != ctx.code {
			e.Errorf("%s revokes a key: %v, want %s", name, err, ctx.code)
		}
	}
	for _, role := range []pause.Role{pause.RoleAnonymous, "OWNER", ""} {
		if _, _, err := e.cms.CreateAPIKey(e.admin, "k", role); pause.ErrorField(err) != "role" {
			e.Errorf("a key with role %q: %v, want BAD_USER_INPUT on role", role, err)
		}
	}
	if _, _, err := e.cms.CreateAPIKey(e.admin, " ", pause.RoleEditor); pause.ErrorField(err) != "name" {
		e.Errorf("a key without a name: %v, want BAD_USER_INPUT on name", err)
	}
	keys, err := e.cms.APIKeys(e.admin)
	e.must(err, "list keys")
	if len(keys) != 0 {
		e.Errorf("refused creates stored %d keys", len(keys))
	}
}

// testAudit: every item names who created it, who changed it last and who published it.
func testAudit(e *env) {
	bob := withSubject(e.editor, "bob")
	a, err := e.cms.Articles.Create(e.editor, articleInput("Audited"))
	e.must(err, "create")
	if a.CreatedBy != "alice" || a.UpdatedBy != "alice" || a.PublishedBy != "" {
		e.Fatalf("after create: %q %q %q", a.CreatedBy, a.UpdatedBy, a.PublishedBy)
	}
	a, err = e.cms.Articles.Update(bob, a.ID, a.Version, pause.ArticleInput{Excerpt: ptr("Bob was here.")})
	e.must(err, "update")
	a, err = e.cms.Articles.Publish(e.admin, a.ID, a.Version)
	e.must(err, "publish")
	got, err := e.cms.Articles.Get(e.anon, a.ID)
	e.must(err, "read back")
	if got.CreatedBy != "alice" || got.UpdatedBy != "root" || got.PublishedBy != "root" {
		e.Fatalf("stored: created %q, updated %q, published %q", got.CreatedBy, got.UpdatedBy, got.PublishedBy)
	}
	a, err = e.cms.Articles.Update(bob, a.ID, a.Version, pause.ArticleInput{Excerpt: ptr("Again.")})
	e.must(err, "update after publishing")
	got, err = e.cms.Articles.Get(e.editor, a.ID)
	e.must(err, "read back")
	// The edit is a draft: the published article still names who published it, the draft
	// who edited it.
	if got.CreatedBy != "alice" || got.UpdatedBy != "root" || got.PublishedBy != "root" ||
		got.Draft == nil || got.Draft.UpdatedBy != "bob" {
		e.Fatalf("stored: created %q, updated %q, published %q, draft %+v", got.CreatedBy, got.UpdatedBy, got.PublishedBy, got.Draft)
	}
}

// withSubject returns ctx with a viewer of the same role and another subject.
func withSubject(ctx context.Context, subject string) context.Context {
	v := *pause.ViewerFrom(ctx)
	v.Subject = subject
	return pause.NewContext(ctx, &v)
}
