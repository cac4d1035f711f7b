package dynamo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Meter counts the DynamoDB requests made with a context and the capacity they consumed, so
// that a server can log the cost of each GraphQL operation. It is safe for concurrent use.
//
// Every call the stores make goes through a middleware that finds the Meter in the call's
// context, asks DynamoDB for the consumed capacity (ReturnConsumedCapacity TOTAL) and adds it
// up. Requests that fail report no capacity.
type Meter struct {
	mu    sync.Mutex
	usage Usage
}

// Usage is what a Meter has counted.
type Usage struct {
	// Requests is the number of API calls; Attempts counts HTTP attempts, retries included.
	Requests int
	Attempts int
	// ReadUnits and WriteUnits are the capacity units DynamoDB reported, for the table and its
	// indexes together.
	ReadUnits  float64
	WriteUnits float64
	// BilledReadUnits are the read units by AWS's rules where DynamoDB Local reports fewer:
	// every read costs at least 0.5 unit per key asked for (1 if strongly consistent), even
	// when it finds nothing (DynamoDB Local reports 0 for a Query of an empty partition). It
	// is an estimate for comparing designs, not a bill.
	BilledReadUnits float64
	// Operations counts the requests by API operation name (Query, GetItem, ...).
	Operations map[string]int
}

// String returns the usage as one log-friendly line, e.g.
// "3 requests (GetItem 1, Query 2), 3 attempts, 1.5 RCU, 0 WCU".
func (u Usage) String() string {
	var ops []string
	for _, name := range slices.Sorted(maps.Keys(u.Operations)) {
		ops = append(ops, fmt.Sprintf("%s %d", name, u.Operations[name]))
	}
	return fmt.Sprintf("%d requests (%s), %d attempts, %g RCU, %g WCU",
		u.Requests, strings.Join(ops, ", "), u.Attempts, u.ReadUnits, u.WriteUnits)
}

type meterKey struct{}

// WithMeter returns a context that carries a new Meter, and the Meter: every DynamoDB call
// the stores make with the context (or a context derived from it) is counted in it.
func WithMeter(ctx context.Context) (context.Context, *Meter) {
	m := &Meter{usage: Usage{Operations: map[string]int{}}}
	return context.WithValue(ctx, meterKey{}, m), m
}

// MeterFrom returns the Meter in ctx, or nil.
func MeterFrom(ctx context.Context) *Meter {
	m, _ := ctx.Value(meterKey{}).(*Meter)
	return m
}

// Usage returns a copy of what the meter has counted so far.
func (m *Meter) Usage() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.usage
	u.Operations = maps.Clone(m.usage.Operations)
	return u
}

// Reset sets the counts back to zero.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.usage = Usage{Operations: map[string]int{}}
}

func (m *Meter) request(op string, capacity []types.ConsumedCapacity, read bool, minRead float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.usage.Requests++
	m.usage.Operations[op]++
	before := m.usage.ReadUnits
	defer func() { m.usage.BilledReadUnits += max(m.usage.ReadUnits-before, minRead) }()
	for _, c := range capacity {
		switch {
		case c.ReadCapacityUnits != nil || c.WriteCapacityUnits != nil:
			m.usage.ReadUnits += deref(c.ReadCapacityUnits)
			m.usage.WriteUnits += deref(c.WriteCapacityUnits)
		case read:
			m.usage.ReadUnits += deref(c.CapacityUnits)
		default:
			m.usage.WriteUnits += deref(c.CapacityUnits)
		}
	}
}

func (m *Meter) attempt() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.usage.Attempts++
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// withMeter is the per-call option that installs the meter's middleware. The stores pass it
// on every call, so that it works with any client, however it was built.
func withMeter(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, addMeterMiddleware)
}

func addMeterMiddleware(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("pause/dynamo/Meter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			m := MeterFrom(ctx)
			if m == nil {
				return next.HandleInitialize(ctx, in)
			}
			askForCapacity(in.Parameters)
			out, md, err := next.HandleInitialize(ctx, in)
			op, capacity, read := consumed(in.Parameters, out.Result)
			m.request(op, capacity, read, minimumReadUnits(in.Parameters))
			return out, md, err
		}), middleware.After)
	if err != nil {
		return err
	}
	// Finalize middlewares added after the retry middleware run once per attempt.
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("pause/dynamo/MeterAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if m := MeterFrom(ctx); m != nil {
				m.attempt()
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// askForCapacity asks DynamoDB to report the capacity the request consumes, unless the caller
// asked for more detail already.
func askForCapacity(params any) {
	const total = types.ReturnConsumedCapacityTotal
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.QueryInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.ScanInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.BatchGetItemInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.TransactGetItemsInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.TransactWriteItemsInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.PutItemInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.UpdateItemInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.DeleteItemInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	case *dynamodb.BatchWriteItemInput:
		in.ReturnConsumedCapacity = orTotal(in.ReturnConsumedCapacity, total)
	}
}

func orTotal(v, total types.ReturnConsumedCapacity) types.ReturnConsumedCapacity {
	if v == "" || v == types.ReturnConsumedCapacityNone {
		return total
	}
	return v
}

// consumed returns the operation's name, the capacity its output reports, and whether it is
// a read.
func consumed(params, result any) (op string, capacity []types.ConsumedCapacity, read bool) {
	one := func(c *types.ConsumedCapacity) []types.ConsumedCapacity {
		if c == nil {
			return nil
		}
		return []types.ConsumedCapacity{*c}
	}
	switch params.(type) {
	case *dynamodb.GetItemInput:
		op, read = "GetItem", true
		if out, ok := result.(*dynamodb.GetItemOutput); ok && out != nil {
			capacity = one(out.ConsumedCapacity)
		}
	case *dynamodb.QueryInput:
		op, read = "Query", true
		if out, ok := result.(*dynamodb.QueryOutput); ok && out != nil {
			capacity = one(out.ConsumedCapacity)
		}
	case *dynamodb.ScanInput:
		op, read = "Scan", true
		if out, ok := result.(*dynamodb.ScanOutput); ok && out != nil {
			capacity = one(out.ConsumedCapacity)
		}
	case *dynamodb.BatchGetItemInput:
		op, read = "BatchGetItem", true
		if out, ok := result.(*dynamodb.BatchGetItemOutput); ok && out != nil {
			capacity = out.ConsumedCapacity
		}
	case *dynamodb.TransactGetItemsInput:
		op, read = "TransactGetItems", true
		if out, ok := result.(*dynamodb.TransactGetItemsOutput); ok && out != nil {
			capacity = out.ConsumedCapacity
		}
	case *dynamodb.TransactWriteItemsInput:
		op = "TransactWriteItems"
		if out, ok := result.(*dynamodb.TransactWriteItemsOutput); ok && out != nil {
			capacity = out.ConsumedCapacity
		}
	case *dynamodb.PutItemInput:
		op = "PutItem"
		if out, ok := result.(*dynamodb.PutItemOutput); ok && out != nil {
			capacity = one(out.ConsumedCapacity)
		}
	case *dynamodb.UpdateItemInput:
		op = "UpdateItem"
		if out, ok := result.(*dynamodb.UpdateItemOutput); ok && out != nil {
			capacity = one(out.ConsumedCapacity)
		}
	case *dynamodb.DeleteItemInput:
		op = "DeleteItem"
		if out, ok := result.(*dynamodb.DeleteItemOutput); ok && out != nil {
			capacity = one(out.ConsumedCapacity)
		}
	case *dynamodb.BatchWriteItemInput:
		op = "BatchWriteItem"
		if out, ok := result.(*dynamodb.BatchWriteItemOutput); ok && out != nil {
			capacity = out.ConsumedCapacity
		}
	default:
		op = strings.TrimPrefix(strings.TrimSuffix(fmt.Sprintf("%T", params), "Input"), "*dynamodb.")
	}
	return op, capacity, read
}

// minimumReadUnits is the least that a read request costs on AWS: 0.5 unit per key (or per
// Query) if eventually consistent, 1 if strongly consistent; 0 for writes.
func minimumReadUnits(params any) float64 {
	unit := func(consistent *bool) float64 {
		if consistent != nil && *consistent {
			return 1
		}
		return 0.5
	}
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		return unit(in.ConsistentRead)
	case *dynamodb.QueryInput:
		return unit(in.ConsistentRead)
	case *dynamodb.ScanInput:
		return unit(in.ConsistentRead)
	case *dynamodb.BatchGetItemInput:
		n := 0.0
		for _, ka := range in.RequestItems {
			n += float64(len(ka.Keys)) * unit(ka.ConsistentRead)
		}
		return n
	case *dynamodb.TransactGetItemsInput:
		return 2 * float64(len(in.TransactItems))
	}
	return 0
}
