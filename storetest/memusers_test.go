package storetest_test

import (
	"context"
	"sort"
	"sync"
	"time"

	"pause"
)

// memAccounts is the reference UserStore, SessionStore and FailureStore: the contracts of
// user.go and session.go in the fewest lines.
type memAccounts struct {
	mu       sync.Mutex
	users    map[string]*pause.User
	sessions map[string]pause.Session // by hash
	failures map[string]pause.Failures
	audit    *memAudit
}

func newMemAccounts(audit *memAudit) *memAccounts {
	return &memAccounts{users: map[string]*pause.User{}, sessions: map[string]pause.Session{},
		failures: map[string]pause.Failures{}, audit: audit}
}

func (s *memAccounts) logIf(e *pause.AuditEntry) {
	if e != nil && mutant != "audit-unwritten" {
		s.audit.add(e)
	}
}

func (s *memAccounts) CreateUser(_ context.Context, u *pause.User, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.users {
		switch {
		case x.Email == u.Email:
			return &pause.Error{Code: pause.ECONFLICT, Field: "email", Message: "email taken"}
		case x.ID == u.ID, u.Issuer != "" && x.Issuer == u.Issuer && x.Subject == u.Subject:
			return pause.Errorf(pause.ECONFLICT, "user exists")
		}
	}
	s.users[u.ID] = u.Clone()
	s.logIf(e)
	return nil
}

func (s *memAccounts) UpdateUser(_ context.Context, u *pause.User, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.users[u.ID]
	if !ok {
		return pause.Errorf(pause.ENOTFOUND, "no user")
	}
	if old.Version != u.Version-1 {
		return pause.Errorf(pause.ECONFLICT, "changed")
	}
	s.users[u.ID] = u.Clone()
	s.logIf(e)
	return nil
}

func (s *memAccounts) find(match func(*pause.User) bool) (*pause.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if match(u) {
			return u.Clone(), nil
		}
	}
	return nil, pause.Errorf(pause.ENOTFOUND, "no user")
}

func (s *memAccounts) User(_ context.Context, id string) (*pause.User, error) {
	return s.find(func(u *pause.User) bool { return u.ID == id })
}

func (s *memAccounts) UserByEmail(_ context.Context, email string) (*pause.User, error) {
	return s.find(func(u *pause.User) bool { return u.Email == email })
}

func (s *memAccounts) UserByIdentity(_ context.Context, issuer, subject string) (*pause.User, error) {
	return s.find(func(u *pause.User) bool { return u.Issuer != "" && u.Issuer == issuer && u.Subject == subject })
}

func (s *memAccounts) UserByLink(_ context.Context, hash string) (*pause.User, error) {
	return s.find(func(u *pause.User) bool { return u.Link != nil && u.Link.Hash == hash })
}

func (s *memAccounts) Users(context.Context) ([]*pause.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*pause.User{}
	for _, u := range s.users {
		out = append(out, u.Clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// memSessions is the reference SessionStore, sharing memAccounts' state.
type memSessions struct{ *memAccounts }

func (s memSessions) CreateSession(_ context.Context, se *pause.Session, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, x := range s.sessions {
		if h == se.Hash || (x.UserID == se.UserID && x.ID == se.ID) {
			return pause.Errorf(pause.ECONFLICT, "session exists")
		}
	}
	s.sessions[se.Hash] = *se
	s.logIf(e)
	return nil
}

func (s memSessions) SessionByHash(_ context.Context, hash string) (*pause.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.sessions[hash]; ok {
		return &se, nil
	}
	return nil, pause.Errorf(pause.ENOTFOUND, "no session")
}

func (s memSessions) TouchSession(_ context.Context, hash string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[hash]
	if !ok {
		return pause.Errorf(pause.ENOTFOUND, "no session")
	}
	if at.After(se.LastSeenAt) {
		se.LastSeenAt = at
		s.sessions[hash] = se
	}
	return nil
}

func (s memSessions) UserSessions(_ context.Context, userID string) ([]*pause.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*pause.Session{}
	for _, se := range s.sessions {
		if se.UserID == userID {
			out = append(out, &se)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

func (s memSessions) DeleteSession(_ context.Context, userID, id string, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, se := range s.sessions {
		if se.UserID == userID && se.ID == id {
			delete(s.sessions, h)
			s.logIf(e)
			return nil
		}
	}
	return pause.Errorf(pause.ENOTFOUND, "no session")
}

// memFailures is the reference FailureStore, sharing memAccounts' state.
type memFailures struct{ *memAccounts }

func (s memFailures) AddFailure(_ context.Context, key string, at time.Time) (pause.Failures, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.failures[key]
	if !at.Before(f.Last.Add(pause.FailureMemory)) {
		f = pause.Failures{}
	}
	f.Count++
	if at.After(f.Last) {
		f.Last = at
	}
	s.failures[key] = f
	return f, nil
}

func (s memFailures) Failures(_ context.Context, key string, at time.Time) (pause.Failures, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.failures[key]; at.Before(f.Last.Add(pause.FailureMemory)) {
		return f, nil
	}
	return pause.Failures{}, nil
}

func (s memFailures) ClearFailures(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.failures, key)
	return nil
}

func (s memFailures) LogFailure(_ context.Context, e *pause.AuditEntry) error {
	s.logIf(e)
	return nil
}
