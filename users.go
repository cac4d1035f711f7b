package pause

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Managing users: admins invite people (a setup link, shown once), issue reset links, change
// roles, disable accounts and end sessions; everyone signed in as a user lists and revokes
// their own sessions. Signing in itself, which needs the password hash and the second factors,
// is package accounts'.

// InviteUser creates a user with the email, name and role, and a setup link valid for
// SetupLinkTTL with which they choose a password. It returns the user and the link's URL
// (see Config.PublicURL), shown this once: only its hash is stored. Admins only.
func (c *CMS) InviteUser(ctx context.Context, email, name string, role Role) (*User, string, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleAdmin); err != nil {
		return nil, "", err
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if err := ValidateUserName(name); err != nil {
		return nil, "", err
	}
	if role == RoleAnonymous || !role.IsValid() {
		return nil, "", FieldErrorf("role", "role must be VIEWER, EDITOR or ADMIN")
	}
	now := c.Now()
	link, token := NewSetupLink(LinkSetup, now, SetupLinkTTL)
	u := &User{ID: c.cfg.NewID(), Email: email, Name: name, Role: role, Link: link,
		CreatedAt: now, UpdatedAt: now, CreatedBy: v.Subject, Version: 1}
	if err := c.cfg.Stores.Users.CreateUser(ctx, u, UserEntry(u, "inviteUser", v.Subject, now, "email", "name", "role")); err != nil {
		return nil, "", err
	}
	return u, SetupLinkURL(c.cfg.PublicURL, token), nil
}

// ResetUser gives the user a new link, valid for ResetLinkTTL, with which they choose a new
// password; an earlier link stops working. Their second factors stay: the link replaces the
// password only (ASVS 6.4.3). It returns the link's URL, shown this once. Admins only.
func (c *CMS) ResetUser(ctx context.Context, id string) (*User, string, error) {
	var token string
	u, err := c.changeUser(ctx, id, "resetUser", func(u *User, now time.Time) ([]string, error) {
		if u.Issuer != "" {
			return nil, Errorf(EINVALID, "%s signs in with single sign-on: reset the account at the provider.", u.Email)
		}
		purpose := LinkReset
		if u.PasswordHash == "" {
			purpose = LinkSetup // never set up: the new link is a setup link again
		}
		u.Link, token = NewSetupLink(purpose, now, ResetLinkTTL)
		return []string{"link"}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return u, SetupLinkURL(c.cfg.PublicURL, token), nil
}

// ResetUserSecondFactors removes the user's authenticator app, recovery codes and passkeys,
// for someone who lost them all: their next sign-in with their password enrols a new app. It
// ends their sessions. Admins only, not on themselves; the audit log records it.
func (c *CMS) ResetUserSecondFactors(ctx context.Context, id string) (*User, error) {
	return c.changeUser(ctx, id, "resetSecondFactors", func(u *User, now time.Time) ([]string, error) {
		if !u.HasSecondFactor() && u.PendingTOTP == nil && len(u.RecoveryCodes) == 0 {
			return nil, nil
		}
		u.TOTPSecret, u.PendingTOTP, u.TOTPStep, u.RecoveryCodes, u.Passkeys = nil, nil, 0, nil, nil
		u.SessionsValidAfter = EndSessionsAt(now)
		return []string{"totp", "recoveryCodes", "passkeys", "sessionsValidAfter"}, nil
	})
}

// SetUserRole changes the user's role; it takes effect at their next access token. Admins
// only, and not on themselves (so that there is always an admin).
func (c *CMS) SetUserRole(ctx context.Context, id string, role Role) (*User, error) {
	if role == RoleAnonymous || !role.IsValid() {
		return nil, FieldErrorf("role", "role must be VIEWER, EDITOR or ADMIN")
	}
	return c.changeUser(ctx, id, "setUserRole", func(u *User, _ time.Time) ([]string, error) {
		if u.Role == role {
			return nil, nil
		}
		u.Role = role
		return []string{"role"}, nil
	})
}

// DisableUser disables the account: the user cannot sign in, and their sessions end at once
// (their last access token lives out its few minutes: see docs/SECURITY.md). Admins only, and
// not on themselves.
func (c *CMS) DisableUser(ctx context.Context, id string) (*User, error) {
	return c.changeUser(ctx, id, "disableUser", func(u *User, now time.Time) ([]string, error) {
		if u.Disabled() {
			return nil, nil
		}
		u.DisabledAt, u.SessionsValidAfter = &now, EndSessionsAt(now)
		return []string{"disabledAt", "sessionsValidAfter"}, nil
	})
}

// EnableUser enables a disabled account again; its old sessions stay void. Admins only.
func (c *CMS) EnableUser(ctx context.Context, id string) (*User, error) {
	return c.changeUser(ctx, id, "enableUser", func(u *User, _ time.Time) ([]string, error) {
		if !u.Disabled() {
			return nil, nil
		}
		u.DisabledAt = nil
		return []string{"disabledAt"}, nil
	})
}

// EndUserSessions ends every session of the user (ASVS 7.4.5). Admins only.
func (c *CMS) EndUserSessions(ctx context.Context, id string) (*User, error) {
	return c.changeUser(ctx, id, "revokeSessions", func(u *User, now time.Time) ([]string, error) {
		u.SessionsValidAfter = EndSessionsAt(now)
		return []string{"sessionsValidAfter"}, nil
	})
}

// changeUser applies change to the user with the id and stores it with the audit entry of
// the action, retrying when another write came first. A change that returns no fields
// changes nothing. Admins only, and never on their own account.
func (c *CMS) changeUser(ctx context.Context, id, action string, change func(u *User, now time.Time) ([]string, error)) (*User, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleAdmin); err != nil {
		return nil, err
	}
	if v.Subject == UserSubjectPrefix+id && action != "resetUser" {
		return nil, Errorf(EFORBIDDEN, "Admins cannot change their own role or account: ask another admin.")
	}
	for attempt := 1; ; attempt++ {
		u, err := c.cfg.Stores.Users.User(ctx, id)
		if err != nil {
			return nil, err
		}
		now := c.Now()
		u = u.Clone()
		fields, err := change(u, now)
		if err != nil || len(fields) == 0 {
			return u, err
		}
		u.Version++
		u.UpdatedAt = now
		err = c.cfg.Stores.Users.UpdateUser(ctx, u, UserEntry(u, action, v.Subject, now, fields...))
		if ErrorCode(err) == ECONFLICT && attempt < 3 {
			continue
		}
		return u, err
	}
}

// Users returns every user, ordered by email. Admins only.
func (c *CMS) Users(ctx context.Context) ([]*User, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	return c.cfg.Stores.Users.Users(ctx)
}

// HasUsers reports whether the store has any user, for the first start of a server.
func (c *CMS) HasUsers(ctx context.Context) (bool, error) {
	users, err := c.cfg.Stores.Users.Users(ctx)
	return len(users) > 0, err
}

// viewerUser returns the user that the viewer in ctx is signed in as, nil if the viewer is no
// user (an API key, a token from the CLI: they have no sessions), or EUNAUTHENTICATED if the
// user is disabled or gone.
func (c *CMS) viewerUser(ctx context.Context) (*User, error) {
	v := ViewerFrom(ctx)
	if err := v.Require(RoleViewer); err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(v.Subject, UserSubjectPrefix)
	if !ok {
		return nil, nil
	}
	u, err := c.cfg.Stores.Users.User(ctx, id)
	if ErrorCode(err) == ENOTFOUND || (err == nil && u.Disabled()) {
		return nil, Errorf(EUNAUTHENTICATED, "Your account is disabled.")
	}
	return u, err
}

// MySessions returns the sessions of the user the viewer is signed in as that can still be
// used, newest first (ASVS 7.5.2); none for viewers that are no user (API keys, CLI tokens).
func (c *CMS) MySessions(ctx context.Context) ([]*Session, error) {
	u, err := c.viewerUser(ctx)
	if err != nil || u == nil {
		return []*Session{}, err
	}
	all, err := c.cfg.Stores.Sessions.UserSessions(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	now := c.Now()
	return slices.DeleteFunc(all, func(s *Session) bool { return !s.ActiveAt(now, u) }), nil
}

// RevokeMySession ends one of the viewer's own sessions, and records it in the audit log;
// ENOTFOUND if the viewer has no such session.
func (c *CMS) RevokeMySession(ctx context.Context, id string) error {
	u, err := c.viewerUser(ctx)
	if err != nil {
		return err
	}
	if u == nil {
		return Errorf(ENOTFOUND, "You have no session %s.", id)
	}
	now := c.Now()
	return c.cfg.Stores.Sessions.DeleteSession(ctx, u.ID, id,
		SessionEntry(&Session{ID: id, Method: "revoked"}, "revokeSession", u.ViewerSubject(), now))
}

// AccountStores returns the stores of users, sessions and failed sign-ins, for the service
// that signs users in (package accounts).
func (c *CMS) AccountStores() (UserStore, SessionStore, FailureStore) {
	return c.cfg.Stores.Users, c.cfg.Stores.Sessions, c.cfg.Stores.Failures
}
