package storetest_test

import (
	"context"
	"sort"
	"sync"

	"pause"
)

// memMedia is the reference MediaStore: the contract of media.go in the fewest lines.
type memMedia struct {
	mu    sync.Mutex
	items map[string]*pause.Media
	audit *memAudit
}

func newMemMedia(audit *memAudit) *memMedia {
	return &memMedia{items: map[string]*pause.Media{}, audit: audit}
}

func (s *memMedia) logIf(e *pause.AuditEntry) {
	if mutant != "audit-unwritten" {
		s.audit.add(e)
	}
}

func (s *memMedia) CreateMedia(_ context.Context, m *pause.Media, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[m.ID]; ok {
		return pause.Errorf(pause.ECONFLICT, "exists")
	}
	s.items[m.ID] = m.Clone()
	s.logIf(e)
	return nil
}

func (s *memMedia) Media(_ context.Context, id string) (*pause.Media, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.items[id]
	if !ok {
		return nil, pause.Errorf(pause.ENOTFOUND, "no image")
	}
	return m.Clone(), nil
}

func (s *memMedia) ListMedia(_ context.Context, q pause.Query[pause.MediaFilter]) (*pause.Page[*pause.Media], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, pause.OrderMedia); err != nil {
			return nil, err
		}
	}
	var all []*pause.Media
	for _, m := range s.items {
		if (after == "" || m.ID < after) && q.Filter.Match(m) {
			all = append(all, m.Clone())
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	p := &pause.Page[*pause.Media]{Items: []*pause.Media{}, Cursors: []string{}, HasNextPage: len(all) > q.First}
	for _, m := range all[:min(q.First, len(all))] {
		p.Items = append(p.Items, m)
		p.Cursors = append(p.Cursors, pause.EncodeCursor(pause.OrderMedia, m.ID))
	}
	return p, nil
}

func (s *memMedia) UpdateMedia(_ context.Context, m *pause.Media, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.items[m.ID]
	if !ok {
		return pause.Errorf(pause.ENOTFOUND, "no image")
	}
	if old.Version != m.Version-1 {
		return pause.Errorf(pause.ECONFLICT, "changed")
	}
	s.items[m.ID] = m.Clone()
	s.logIf(e)
	return nil
}

func (s *memMedia) DeleteMedia(_ context.Context, id string, version int, e *pause.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.items[id]
	if !ok {
		return pause.Errorf(pause.ENOTFOUND, "no image")
	}
	if old.Version != version {
		return pause.Errorf(pause.ECONFLICT, "changed")
	}
	delete(s.items, id)
	s.logIf(e)
	return nil
}
