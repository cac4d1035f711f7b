package dynamo

import (
	"context"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
)

// This file holds what keeps reads to one round trip: reads that do not depend on each other
// run at once, the consistency that the CMS allows, and what a warm instance remembers (a
// slug's item, a filter's share of its partition). What it remembers is a guess that the read
// itself checks: a wrong guess costs a round trip more, never a wrong answer.

// atOnce runs the functions at once and returns the first error in the order given.
func atOnce(fs ...func() error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs[1:] {
		wg.Go(func() { errs[i+1] = f() })
	}
	errs[0] = fs[0]()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// consistent returns the ConsistentRead of a read made with ctx: strongly consistent unless
// the CMS allows otherwise (pause.EventuallyConsistent; anonymous viewers).
func consistent(ctx context.Context) *bool {
	return aws.Bool(!pause.EventuallyConsistent(ctx))
}

// maxRemembered bounds the entries of each per-process memo; a full memo starts again empty.
const maxRemembered = 4096

// memo is a bounded map, safe for concurrent use, of what a warm instance remembers.
type memo[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *memo[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxRemembered {
		c.m = make(map[K]V)
	}
	c.m[k] = v
}

func (c *memo[K, V]) drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// storedBefore returns the stored items that an update of the ids replaces. An item whose
// revision carries the item as the CMS read it (pause.Revision.Before) at the version that the
// update expects is taken as it is, without a read: the transaction's version condition
// guarantees that the stored item is still that one, and fails the update (CONFLICT, or
// NOT_FOUND if it was deleted) otherwise. The others are read in one strongly consistent
// BatchGetItem. Missing ids are not in the map.
func (s *store[T, F]) storedBefore(ctx context.Context, ids []string, items []T, expect map[string]int) (map[string]T, error) {
	stored := make(map[string]T, len(ids))
	var unread []string
	for _, id := range ids {
		if before, ok := beforeOf(items, id); ok && before.Metadata().Version == expect[id] {
			stored[id] = before
		} else {
			unread = append(unread, id)
		}
	}
	if len(unread) == 0 {
		return stored, nil
	}
	found, err := s.load(pause.WithStrongConsistency(ctx), unread, true)
	if err != nil {
		return nil, err
	}
	maps.Copy(stored, found)
	return stored, nil
}

// beforeOf returns the item with the id as its first write in items found it stored, if the
// CMS said.
func beforeOf[T pause.Item[T]](items []T, id string) (T, bool) {
	var none T
	for _, item := range items {
		m := item.Metadata()
		if m.ID != id {
			continue
		}
		if m.Change == nil || m.Change.Before == nil {
			return none, false
		}
		before, ok := m.Change.Before.(T)
		if !ok || isNil(before) || before.Metadata().ID != id {
			return none, false
		}
		return before, true
	}
	return none, false
}

// projection is a ProjectionExpression made once, with its own placeholders (#s0, #s1, …),
// which the expression builder's (#0, #1, …) never take.
type projection struct {
	expr  string
	names map[string]string
}

// summaryProjection returns the projection that list Queries ask for: the attributes of the
// type's storage shape (read from its dynamodbav tags, embedded structs included) and its
// working draft, without the table and index keys (PK, SK, LPK and a sort key per order),
// which DynamoDB would otherwise send with every item and the SDK decode. It costs no read
// unit more or less (units count what is read, not what is sent); it saves decoding about a
// fifth of each summary's attributes.
func summaryProjection(storage any) projection {
	p := projection{names: map[string]string{}}
	var parts []string
	add := func(name string) {
		ph := "#s" + strconv.Itoa(len(parts))
		parts = append(parts, ph)
		p.names[ph] = name
	}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("dynamodbav")
			if f.Anonymous && tag == "" {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			add(name)
		}
	}
	walk(reflect.TypeOf(storage))
	add(attrDraft)
	p.expr = strings.Join(parts, ", ")
	return p
}

// apply asks the Query for the projection's attributes only.
func (p projection) apply(in *dynamodb.QueryInput) {
	if in.ExpressionAttributeNames == nil {
		in.ExpressionAttributeNames = make(map[string]string, len(p.names))
	}
	maps.Copy(in.ExpressionAttributeNames, p.names)
	in.ProjectionExpression = &p.expr
}
