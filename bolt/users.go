package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"time"

	bbolt "go.etcd.io/bbolt"

	"pause"
)

// Users live in the bucket "user": "items" (id → JSON record) and three indexes to the id:
// "emails" (email), "identities" (issuer NUL subject) and "links" (hash of the setup link's
// token). Sessions live in "session": "items" (hash of the secret → JSON record) and "byuser"
// (user id NUL session id → hash). Failed sign-ins are counted in "failure" (key → JSON).
var (
	userBucket        = []byte("user")
	userEmails        = []byte("emails")
	userIdentities    = []byte("identities")
	userLinks         = []byte("links")
	sessionBucket     = []byte("session")
	sessionByUser     = []byte("byuser")
	failureBucket     = []byte("failure")
	bucketItems       = []byte("items")
	accountSubBuckets = map[string][][]byte{
		string(userBucket):    {bucketItems, userEmails, userIdentities, userLinks},
		string(sessionBucket): {bucketItems, sessionByUser},
	}
)

type passkeyRecord struct {
	ID         []byte     `json:"id"`
	Name       string     `json:"name"`
	Credential []byte     `json:"credential"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

type linkRecord struct {
	Hash      string    `json:"hash"`
	Purpose   string    `json:"purpose"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type userRecord struct {
	ID                 string          `json:"id"`
	Email              string          `json:"email"`
	Name               string          `json:"name"`
	Role               string          `json:"role"`
	PasswordHash       string          `json:"passwordHash,omitempty"`
	TOTPSecret         []byte          `json:"totpSecret,omitempty"`
	PendingTOTP        []byte          `json:"pendingTotp,omitempty"`
	TOTPStep           int64           `json:"totpStep,omitempty"`
	RecoveryCodes      []string        `json:"recoveryCodes"`
	Passkeys           []passkeyRecord `json:"passkeys"`
	Issuer             string          `json:"issuer,omitempty"`
	Subject            string          `json:"subject,omitempty"`
	Link               *linkRecord     `json:"link,omitempty"`
	DisabledAt         *time.Time      `json:"disabledAt,omitempty"`
	SessionsValidAfter time.Time       `json:"sessionsValidAfter"`
	CreatedAt          time.Time       `json:"createdAt"`
	CreatedBy          string          `json:"createdBy,omitempty"`
	UpdatedAt          time.Time       `json:"updatedAt"`
	Version            int             `json:"version"`
}

func toUserRecord(u *pause.User) userRecord {
	u = u.Clone()
	r := userRecord{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), PasswordHash: u.PasswordHash,
		TOTPSecret: u.TOTPSecret, PendingTOTP: u.PendingTOTP, TOTPStep: u.TOTPStep, RecoveryCodes: u.RecoveryCodes,
		Passkeys: []passkeyRecord{}, Issuer: u.Issuer, Subject: u.Subject, DisabledAt: u.DisabledAt,
		SessionsValidAfter: u.SessionsValidAfter.UTC(), CreatedAt: u.CreatedAt.UTC(), CreatedBy: u.CreatedBy,
		UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
	for _, p := range u.Passkeys {
		r.Passkeys = append(r.Passkeys, passkeyRecord(p))
	}
	if u.Link != nil {
		r.Link = &linkRecord{Hash: u.Link.Hash, Purpose: string(u.Link.Purpose), ExpiresAt: u.Link.ExpiresAt.UTC()}
	}
	return r
}

func (r userRecord) user() *pause.User {
	u := &pause.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: pause.Role(r.Role), PasswordHash: r.PasswordHash,
		TOTPSecret: r.TOTPSecret, PendingTOTP: r.PendingTOTP, TOTPStep: r.TOTPStep, RecoveryCodes: r.RecoveryCodes,
		Issuer: r.Issuer, Subject: r.Subject, DisabledAt: r.DisabledAt, SessionsValidAfter: r.SessionsValidAfter,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt, Version: r.Version}
	for _, p := range r.Passkeys {
		u.Passkeys = append(u.Passkeys, pause.Passkey(p))
	}
	if r.Link != nil {
		u.Link = &pause.SetupLink{Hash: r.Link.Hash, Purpose: pause.LinkPurpose(r.Link.Purpose), ExpiresAt: r.Link.ExpiresAt}
	}
	return u
}

// initAccounts creates the buckets of users, sessions and failure counts.
func initAccounts(tx *bbolt.Tx) error {
	for name, subs := range accountSubBuckets {
		b, err := tx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		for _, s := range subs {
			if _, err := b.CreateBucketIfNotExists(s); err != nil {
				return err
			}
		}
	}
	_, err := tx.CreateBucketIfNotExists(failureBucket)
	return err
}

// userStore is pause.UserStore on the file.
type userStore struct{ db *bbolt.DB }

func sub(tx *bbolt.Tx, bucket, name []byte) *bbolt.Bucket { return tx.Bucket(bucket).Bucket(name) }

func identityKey(issuer, subject string) []byte { return []byte(issuer + "\x00" + subject) }

func (s userStore) CreateUser(ctx context.Context, u *pause.User, e *pause.AuditEntry) error {
	data, err := json.Marshal(toUserRecord(u))
	if err != nil {
		return wrap(err, "encode user %s", u.ID)
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		items, emails := sub(tx, userBucket, bucketItems), sub(tx, userBucket, userEmails)
		ident, links := sub(tx, userBucket, userIdentities), sub(tx, userBucket, userLinks)
		switch {
		case emails.Get([]byte(u.Email)) != nil:
			return &pause.Error{Code: pause.ECONFLICT, Field: "email", Message: "A user with this email exists."}
		case items.Get([]byte(u.ID)) != nil:
			return pause.Errorf(pause.ECONFLICT, "A user with id %s exists.", u.ID)
		case u.Issuer != "" && ident.Get(identityKey(u.Issuer, u.Subject)) != nil:
			return pause.Errorf(pause.ECONFLICT, "A user with this identity exists.")
		}
		if err := items.Put([]byte(u.ID), data); err != nil {
			return wrap(err, "put user %s", u.ID)
		}
		if err := emails.Put([]byte(u.Email), []byte(u.ID)); err != nil {
			return wrap(err, "put user email %s", u.ID)
		}
		if u.Issuer != "" {
			if err := ident.Put(identityKey(u.Issuer, u.Subject), []byte(u.ID)); err != nil {
				return wrap(err, "put user identity %s", u.ID)
			}
		}
		if u.Link != nil {
			if err := links.Put([]byte(u.Link.Hash), []byte(u.ID)); err != nil {
				return wrap(err, "put user link %s", u.ID)
			}
		}
		return auditIf(tx, e)
	})
}

func auditIf(tx *bbolt.Tx, e *pause.AuditEntry) error {
	if e == nil {
		return nil
	}
	return wrap(writeAudit(tx, e), "audit %s %s", e.ItemType, e.ItemID)
}

func (s userStore) UpdateUser(ctx context.Context, u *pause.User, e *pause.AuditEntry) error {
	data, err := json.Marshal(toUserRecord(u))
	if err != nil {
		return wrap(err, "encode user %s", u.ID)
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		items, links := sub(tx, userBucket, bucketItems), sub(tx, userBucket, userLinks)
		old := items.Get([]byte(u.ID))
		if old == nil {
			return pause.Errorf(pause.ENOTFOUND, "No user has id %s.", u.ID)
		}
		var r userRecord
		if err := json.Unmarshal(old, &r); err != nil {
			return wrap(err, "decode user %s", u.ID)
		}
		if r.Version != u.Version-1 {
			return pause.Errorf(pause.ECONFLICT, "The user %s was changed meanwhile: try again.", u.Email)
		}
		if r.Link != nil {
			if err := links.Delete([]byte(r.Link.Hash)); err != nil {
				return wrap(err, "delete user link %s", u.ID)
			}
		}
		if u.Link != nil {
			if err := links.Put([]byte(u.Link.Hash), []byte(u.ID)); err != nil {
				return wrap(err, "put user link %s", u.ID)
			}
		}
		if err := items.Put([]byte(u.ID), data); err != nil {
			return wrap(err, "put user %s", u.ID)
		}
		return auditIf(tx, e)
	})
}

func (s userStore) User(ctx context.Context, id string) (*pause.User, error) {
	return s.byIndex(nil, []byte(id))
}

func (s userStore) UserByEmail(ctx context.Context, email string) (*pause.User, error) {
	return s.byIndex(userEmails, []byte(email))
}

func (s userStore) UserByIdentity(ctx context.Context, issuer, subject string) (*pause.User, error) {
	return s.byIndex(userIdentities, identityKey(issuer, subject))
}

func (s userStore) UserByLink(ctx context.Context, hash string) (*pause.User, error) {
	return s.byIndex(userLinks, []byte(hash))
}

// byIndex reads the user whose id the index holds under the key (the key is the id when
// index is nil).
func (s userStore) byIndex(index, key []byte) (*pause.User, error) {
	var u *pause.User
	err := s.db.View(func(tx *bbolt.Tx) error {
		id := key
		if index != nil {
			id = sub(tx, userBucket, index).Get(key)
		}
		var data []byte
		if len(id) > 0 {
			data = sub(tx, userBucket, bucketItems).Get(id)
		}
		if data == nil {
			return pause.Errorf(pause.ENOTFOUND, "No such user.")
		}
		var r userRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return wrap(err, "decode user %s", id)
		}
		u = r.user()
		return nil
	})
	return u, err
}

func (s userStore) Users(ctx context.Context) ([]*pause.User, error) {
	users := []*pause.User{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		items := sub(tx, userBucket, bucketItems)
		// The emails index is in email order.
		return sub(tx, userBucket, userEmails).ForEach(func(_, id []byte) error {
			var r userRecord
			if err := json.Unmarshal(items.Get(id), &r); err != nil {
				return wrap(err, "decode user %s", id)
			}
			users = append(users, r.user())
			return nil
		})
	})
	return users, err
}

type sessionRecord struct {
	ID         string    `json:"id"`
	Hash       string    `json:"hash"`
	UserID     string    `json:"userId"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeenAt time.Time `json:"lastSeenAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	Method     string    `json:"method"`
	UserAgent  string    `json:"userAgent,omitempty"`
	Address    string    `json:"address,omitempty"`
}

// sessionStore is pause.SessionStore on the file. Expired sessions are deleted when their
// user's sessions are listed.
type sessionStore struct{ db *bbolt.DB }

func byUserKey(userID, id string) []byte { return []byte(userID + "\x00" + id) }

func (s sessionStore) CreateSession(ctx context.Context, se *pause.Session, e *pause.AuditEntry) error {
	data, err := json.Marshal(sessionRecord{ID: se.ID, Hash: se.Hash, UserID: se.UserID, CreatedAt: se.CreatedAt.UTC(),
		LastSeenAt: se.LastSeenAt.UTC(), ExpiresAt: se.ExpiresAt.UTC(), Method: se.Method, UserAgent: se.UserAgent,
		Address: se.Address})
	if err != nil {
		return wrap(err, "encode session %s", se.ID)
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		items, byUser := sub(tx, sessionBucket, bucketItems), sub(tx, sessionBucket, sessionByUser)
		if items.Get([]byte(se.Hash)) != nil || byUser.Get(byUserKey(se.UserID, se.ID)) != nil {
			return pause.Errorf(pause.ECONFLICT, "The session exists.")
		}
		if err := items.Put([]byte(se.Hash), data); err != nil {
			return wrap(err, "put session %s", se.ID)
		}
		if err := byUser.Put(byUserKey(se.UserID, se.ID), []byte(se.Hash)); err != nil {
			return wrap(err, "put session %s", se.ID)
		}
		return auditIf(tx, e)
	})
}

func decodeSession(data []byte) (*pause.Session, error) {
	var r sessionRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, wrap(err, "decode session")
	}
	return &pause.Session{ID: r.ID, Hash: r.Hash, UserID: r.UserID, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt,
		ExpiresAt: r.ExpiresAt, Method: r.Method, UserAgent: r.UserAgent, Address: r.Address}, nil
}

func (s sessionStore) SessionByHash(ctx context.Context, hash string) (*pause.Session, error) {
	var se *pause.Session
	err := s.db.View(func(tx *bbolt.Tx) error {
		data := sub(tx, sessionBucket, bucketItems).Get([]byte(hash))
		if data == nil {
			return pause.Errorf(pause.ENOTFOUND, "No such session.")
		}
		var err error
		se, err = decodeSession(data)
		return err
	})
	return se, err
}

func (s sessionStore) TouchSession(ctx context.Context, hash string, at time.Time) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		items := sub(tx, sessionBucket, bucketItems)
		data := items.Get([]byte(hash))
		if data == nil {
			return pause.Errorf(pause.ENOTFOUND, "No such session.")
		}
		var r sessionRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return wrap(err, "decode session")
		}
		if !at.After(r.LastSeenAt) {
			return nil
		}
		r.LastSeenAt = at.UTC()
		data, err := json.Marshal(r)
		if err != nil {
			return wrap(err, "encode session %s", r.ID)
		}
		return wrap(items.Put([]byte(hash), data), "put session %s", r.ID)
	})
}

func (s sessionStore) UserSessions(ctx context.Context, userID string) ([]*pause.Session, error) {
	out := []*pause.Session{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		items := sub(tx, sessionBucket, bucketItems)
		c := sub(tx, sessionBucket, sessionByUser).Cursor()
		prefix := byUserKey(userID, "")
		for k, hash := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, hash = c.Next() {
			se, err := decodeSession(items.Get(hash))
			if err != nil {
				return err
			}
			out = append(out, se)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, err
}

func (s sessionStore) DeleteSession(ctx context.Context, userID, id string, e *pause.AuditEntry) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		items, byUser := sub(tx, sessionBucket, bucketItems), sub(tx, sessionBucket, sessionByUser)
		hash := byUser.Get(byUserKey(userID, id))
		if hash == nil {
			return pause.Errorf(pause.ENOTFOUND, "You have no session %s.", id)
		}
		if err := items.Delete(hash); err != nil {
			return wrap(err, "delete session %s", id)
		}
		if err := byUser.Delete(byUserKey(userID, id)); err != nil {
			return wrap(err, "delete session %s", id)
		}
		return auditIf(tx, e)
	})
}

type failureRecord struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// failureStore is pause.FailureStore on the file.
type failureStore struct{ db *bbolt.DB }

func (s failureStore) AddFailure(ctx context.Context, key string, at time.Time) (pause.Failures, error) {
	var f pause.Failures
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(failureBucket)
		var r failureRecord
		if data := b.Get([]byte(key)); data != nil {
			if err := json.Unmarshal(data, &r); err != nil {
				return wrap(err, "decode failures")
			}
		}
		if !at.Before(r.Last.Add(pause.FailureMemory)) {
			r.Count = 0
		}
		r.Count++
		if at.After(r.Last) {
			r.Last = at.UTC()
		}
		f = pause.Failures(r)
		data, err := json.Marshal(r)
		if err != nil {
			return wrap(err, "encode failures")
		}
		return wrap(b.Put([]byte(key), data), "put failures")
	})
	return f, err
}

func (s failureStore) Failures(ctx context.Context, key string, at time.Time) (pause.Failures, error) {
	var f pause.Failures
	err := s.db.View(func(tx *bbolt.Tx) error {
		data := tx.Bucket(failureBucket).Get([]byte(key))
		if data == nil {
			return nil
		}
		var r failureRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return wrap(err, "decode failures")
		}
		if at.Before(r.Last.Add(pause.FailureMemory)) {
			f = pause.Failures(r)
		}
		return nil
	})
	return f, err
}

func (s failureStore) ClearFailures(ctx context.Context, key string) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		return wrap(tx.Bucket(failureBucket).Delete([]byte(key)), "delete failures")
	})
}

func (s failureStore) LogFailure(ctx context.Context, e *pause.AuditEntry) error {
	return s.db.Update(func(tx *bbolt.Tx) error { return auditIf(tx, e) })
}
