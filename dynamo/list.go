package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// Reads of filtered lists grow their Query Limit from max(2×wanted, minFilteredLimit) by
// doubling up to maxQueryLimit, so that a rare match costs a few requests rather than many,
// and a common one reads little more than the page.
const (
	minFilteredLimit = 20
	maxQueryLimit    = 1000
)

// List reads the list index of q.Order in the partition of each status the filter allows:
// one partition for a status filter (public lists never read another status's), the three
// status partitions for editors' unfiltered lists, and always the scheduled partition, in
// parallel, merged by sort key. The cursor is
// the position (the index sort key) of the page's last item, which is the LastEvaluatedKey's
// only free part: the index partition comes from the query and the table key from the id at
// the end of the position, so a cursor can move a query within its own partition only.
func (s *store[T, F]) List(ctx context.Context, q pause.Query[F]) (*pause.Page[T], error) {
	idx, ok := indexOf(q.Order)
	if !ok || !slices.Contains(s.orders, q.Order) {
		return nil, pause.FieldErrorf("orderBy", "%ss cannot be ordered by %s", s.name, q.Order)
	}
	if q.First < 0 {
		return nil, pause.FieldErrorf("first", "first must not be negative")
	}
	var after string
	if q.After != "" {
		var err error
		if after, err = pause.DecodeCursor(q.After, q.Order); err != nil {
			return nil, err
		}
		if _, ok := positionID(after); !ok {
			return nil, pause.FieldErrorf("after", "after is not a cursor of this list")
		}
	}
	parts := s.partitions(q.Filter)
	cond, filtered := s.condition(q.Filter)
	need := q.First + 1 // one more than the page tells whether there is a next page
	results := make([][]positioned[T], len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			results[i], errs[i] = s.query(ctx, p, idx, q, after, cond, filtered, need)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	all := slices.Concat(results...)
	if len(parts) > 1 { // always, since the scheduled partition is one of them
		slices.SortFunc(all, func(a, b positioned[T]) int {
			if q.Descending() {
				return strings.Compare(b.pos, a.pos)
			}
			return strings.Compare(a.pos, b.pos)
		})
	}
	page := &pause.Page[T]{Items: make([]T, 0, min(len(all), q.First)), Cursors: make([]string, 0, min(len(all), q.First))}
	for i, p := range all {
		if i == q.First {
			page.HasNextPage = true
			break
		}
		page.Items = append(page.Items, p.item)
		page.Cursors = append(page.Cursors, pause.EncodeCursor(q.Order, p.pos))
	}
	return page, nil
}

// positioned is an item and its position in the list's order.
type positioned[T any] struct {
	item T
	pos  string
}

// partitions returns the list index partitions that hold the items the filter may select:
// those of its statuses, and the scheduled partition, whose items' statuses depend on the time
// (Match decides with the filter's time).
func (s *store[T, F]) partitions(f F) []string {
	return append(s.statusPartitions(f), scheduledPK(s.kind))
}

// statusPartitions returns the status partitions that hold the items the filter may select:
// the status's, every status's, or none if it selects pending scheduled changes only.
func (s *store[T, F]) statusPartitions(f F) []string {
	if p := f.PendingIs(); p != nil && *p {
		return nil
	}
	if st := f.StatusIs(); st != nil {
		return []string{listPK(s.kind, *st)}
	}
	out := make([]string, len(statuses))
	for i, st := range statuses {
		out[i] = listPK(s.kind, st)
	}
	return out
}

// condition returns the filter expression of the filter's facets (its status is the
// partition), and whether there is one.
func (s *store[T, F]) condition(f F) (expression.ConditionBuilder, bool) {
	fs := s.filterFacets(f)
	if len(fs) == 0 {
		return expression.ConditionBuilder{}, false
	}
	cond := s.facetCondition(fs[0])
	for _, x := range fs[1:] {
		cond = cond.And(s.facetCondition(x))
	}
	return cond, true
}

// query returns up to need items of the partition that match the filter, in the index's order,
// from the position after. It keeps querying until it has need items or the partition ends:
// DynamoDB applies Limit before the filter expression, so one page of a filtered Query may
// hold few matches or none while more follow.
func (s *store[T, F]) query(ctx context.Context, partition string, idx listIndex, q pause.Query[F], after string,
	cond expression.ConditionBuilder, filtered bool, need int) ([]positioned[T], error) {
	b := expression.NewBuilder().WithKeyCondition(expression.Key(attrListPK).Equal(expression.Value(partition)))
	limit := min(need, maxQueryLimit)
	if filtered {
		b = b.WithFilter(cond)
		limit = min(max(2*need, minFilteredLimit), maxQueryLimit)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: list %ss: %w", s.name, err)
	}
	// A filter's share of the partition, seen by the last read of it, sizes the first request
	// so that it usually holds the whole page: one round trip rather than a few growing ones.
	var shareKey string
	var matched, scanned int
	if filtered {
		shareKey = partition + "\x00" + fmt.Sprint(s.filterFacets(q.Filter))
		if share, ok := s.shares.get(shareKey); ok {
			limit = sizeFor(need, share)
		}
		defer func() {
			if scanned > 0 {
				s.shares.put(shareKey, float64(matched)/float64(scanned))
			}
		}()
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, IndexName: aws.String(idx.name),
		KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(!q.Descending()),
	}
	s.summary.apply(in)
	if after != "" {
		id, _ := positionID(after)
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			attrListPK: str(partition), idx.sortBy: str(after),
			attrPK: str(itemPK(s.kind, id)), attrSK: str(skItem),
		}
	}
	var out []positioned[T]
	for {
		in.Limit = aws.Int32(int32(limit))
		res, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "list %ss by %s in %s", s.name, q.Order, partition)
		}
		matched, scanned = matched+int(res.Count), scanned+int(res.ScannedCount)
		for _, av := range res.Items {
			item, err := s.decodeItem(av)
			if err != nil {
				return nil, err
			}
			// The filter expression and Match must agree; Match has the last word.
			if !q.Filter.Match(item) {
				continue
			}
			out = append(out, positioned[T]{item, pause.SortKey(item, q.Order)})
			if len(out) == need {
				return out, nil
			}
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
		if filtered {
			limit = min(2*limit, maxQueryLimit)
		} else {
			// DynamoDB stopped at 1 MB: ask for the rest only.
			limit = min(need-len(out), maxQueryLimit)
		}
	}
}

// Count reads counters: one GetItem for a status and at most one facet, one BatchGetItem of
// the three status counters when the filter has no status. A filter of two facets or more
// (say a tag and an author), which no counter covers, is counted by paging the list index
// with Select COUNT; see doc.go for its cost. Items with a scheduled change count in no
// counter: one Query of the scheduled partition counts them, by Match at the filter's time,
// at the same time as the counters are read.
func (s *store[T, F]) Count(ctx context.Context, f F) (int, error) {
	var scheduled, n int
	err := atOnce(
		func() (err error) { n, err = s.countStatuses(ctx, f); return err },
		func() (err error) { scheduled, err = s.countScheduled(ctx, f); return err },
	)
	return n + scheduled, err
}

// countScheduled counts the items of the scheduled partition that match the filter at its
// time, reading them all: a Query of the partition, consistent as index reads allow (see
// doc.go). The partition holds the items scheduled since their last write: few.
func (s *store[T, F]) countScheduled(ctx context.Context, f F) (int, error) {
	items, err := s.scheduled(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, item := range items {
		if f.Match(item) {
			n++
		}
	}
	return n, nil
}

// scheduled reads every item of the scheduled partition, without bodies.
func (s *store[T, F]) scheduled(ctx context.Context) ([]T, error) {
	idx, _ := indexOf(s.orders[0])
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(attrListPK).Equal(expression.Value(scheduledPK(s.kind)))).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: scheduled %ss: %w", s.name, err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, IndexName: aws.String(idx.name),
		KeyConditionExpression:   expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	var out []T
	for {
		res, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "read scheduled %ss", s.name)
		}
		for _, av := range res.Items {
			item, err := s.decodeItem(av)
			if err != nil {
				return nil, err
			}
			out = append(out, item)
		}
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// countStatuses counts the matching items of the status partitions.
func (s *store[T, F]) countStatuses(ctx context.Context, f F) (int, error) {
	if p := f.PendingIs(); p != nil && *p {
		return 0, nil // only scheduled items have pending changes
	}
	fs := s.filterFacets(f)
	if len(fs) > 1 {
		return s.countByQuery(ctx, f)
	}
	var fc *facet
	if len(fs) == 1 {
		fc = &fs[0]
	}
	sts := statuses
	if st := f.StatusIs(); st != nil {
		sts = []pause.Status{*st}
	}
	keys := make([]map[string]types.AttributeValue, len(sts))
	for i, st := range sts {
		keys[i] = key(counterPK(s.kind), counterSK(st, fc))
	}
	var avs []map[string]types.AttributeValue
	if len(keys) == 1 {
		out, err := s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &s.t.name, Key: keys[0], ConsistentRead: consistent(ctx),
		}, withMeter)
		if err != nil {
			return 0, fail(err, "count %ss", s.name)
		}
		if out.Item != nil {
			avs = append(avs, out.Item)
		}
	} else {
		var err error
		if avs, err = s.t.batchGet(ctx, keys, consistent(ctx), "count "+s.name+"s"); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, av := range avs {
		c, err := counterOf(av)
		if err != nil {
			return 0, fmt.Errorf("dynamo: count %ss: %w", s.name, err)
		}
		n += c
	}
	return n, nil
}

// counterItem is a counter: how many items are in a status, or in a status with a facet.
type counterItem struct {
	SK string `dynamodbav:"SK"`
	N  int    `dynamodbav:"n"`
}

func counterOf(av map[string]types.AttributeValue) (int, error) {
	var c counterItem
	if err := attributevalue.UnmarshalMap(av, &c); err != nil {
		return 0, err
	}
	return c.N, nil
}

// countByQuery counts the matching items by paging the status partitions of the type's first
// list index with Select COUNT: DynamoDB returns counts only, but reads (and charges for)
// every item of the partitions.
func (s *store[T, F]) countByQuery(ctx context.Context, f F) (int, error) {
	idx, _ := indexOf(s.orders[0])
	cond, _ := s.condition(f)
	n := 0
	for _, p := range s.statusPartitions(f) {
		expr, err := expression.NewBuilder().
			WithKeyCondition(expression.Key(attrListPK).Equal(expression.Value(p))).
			WithFilter(cond).Build()
		if err != nil {
			return 0, fmt.Errorf("dynamo: count %ss: %w", s.name, err)
		}
		in := &dynamodb.QueryInput{
			TableName: &s.t.name, IndexName: aws.String(idx.name), Select: types.SelectCount,
			KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}
		for {
			out, err := s.t.client.Query(ctx, in, withMeter)
			if err != nil {
				return 0, fail(err, "count %ss in %s", s.name, p)
			}
			n += int(out.Count)
			if out.LastEvaluatedKey == nil {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	return n, nil
}

// toolStore adds the category counts to the tools' store.
type toolStore struct {
	*store[*pause.Tool, pause.ToolFilter]
}

// Categories reads the counters of published tools by category (one Query of the counter
// partition, by the sort-key prefix of category counters) and adds the tools of the scheduled
// partition published at the time at (one Query), both at once. Categories whose count fell
// to zero keep a counter item at zero, and are left out here.
func (s *toolStore) Categories(ctx context.Context, at time.Time) ([]pause.CategoryCount, error) {
	var counted []pause.CategoryCount
	var scheduled []*pause.Tool
	err := atOnce(
		func() (err error) { counted, err = s.categoryCounters(ctx); return err },
		func() (err error) { scheduled, err = s.scheduled(ctx); return err },
	)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, c := range counted {
		n[c.Name] += c.Count
	}
	for _, t := range scheduled {
		if t.StatusAt(at) == pause.StatusPublished {
			n[t.Category]++
		}
	}
	out := make([]pause.CategoryCount, 0, len(n))
	for name, c := range n {
		out = append(out, pause.CategoryCount{Name: name, Count: c})
	}
	slices.SortFunc(out, func(a, b pause.CategoryCount) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// categoryCounters reads the counters of published tools by category (which count no tool
// with a scheduled change).
func (s *toolStore) categoryCounters(ctx context.Context) ([]pause.CategoryCount, error) {
	kc := expression.Key(attrPK).Equal(expression.Value(counterPK(s.kind))).
		And(expression.Key(attrSK).BeginsWith(categoryPrefix()))
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: count tool categories: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ConsistentRead: consistent(ctx),
	}
	out := []pause.CategoryCount{}
	for {
		res, err := s.t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "count tool categories")
		}
		for _, av := range res.Items {
			var c counterItem
			if err := attributevalue.UnmarshalMap(av, &c); err != nil {
				return nil, fmt.Errorf("dynamo: count tool categories: %w", err)
			}
			if name, ok := categoryOf(c.SK); ok && c.N > 0 {
				out = append(out, pause.CategoryCount{Name: name, Count: c.N})
			}
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	// DynamoDB sorts by UTF-8 bytes already; sorting again makes that a fact of this code.
	slices.SortFunc(out, func(a, b pause.CategoryCount) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// sizeFor is the Limit of a filtered Query that should find need matches when a share of the
// partition's items match: a quarter more than the share predicts, at least need, at most
// maxQueryLimit.
func sizeFor(need int, share float64) int {
	if share <= 0 {
		return maxQueryLimit
	}
	return min(max(int(float64(need)/share*1.25)+1, need), maxQueryLimit)
}
