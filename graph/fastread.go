package graph

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// The fast read path: a query operation is compiled once into a plan (the idea of graphql-jit)
// that calls the same resolvers as gqlgen's generated executor and writes their results
// straight into one buffer, without gqlgen's per-field contexts, closures, boxing and
// goroutines. Everything before execution (parsing, validation, persisted queries, the
// limits, the loaders) is gqlgen's and the handler's as before: the plan replaces only
// ExecutableSchema.Exec, for the operations it supports.
//
// Safety: anything the plan does not support (mutations, subscriptions, introspection,
// interfaces and unions, @defer, custom scalars, a field it cannot bind) is executed by gqlgen;
// and any error, null where the schema forbids one, or panic on the fast path discards what it
// wrote and executes the operation again through gqlgen (reads have no side effects), so that
// errors, paths, codes, null propagation and partial data are always gqlgen's own. The
// differential tests (fastread_test.go) hold the two to byte-identical answers.

// fastStats counts the operations the fast path answered, the ones it handed back to gqlgen
// after starting (an error, a null), and the ones it did not compile; tests read them.
var fastStats struct {
	served, retried, unsupported atomic.Int64
}

// maxPlans is how many compiled plans fastSchema keeps, least recently used first out, like the
// parsed-query cache.
const maxPlans = 1000

// fastSchema is the executable schema with the fast read path in front of gqlgen's.
type fastSchema struct {
	graphql.ExecutableSchema
	bindings map[string]fastBinding
	plans    *lru.LRU[*plan]
	// serial runs root fields one after the other: the stores answer in this process
	// (pause.Stores.InProcess), so a handoff to a worker costs more than it saves.
	serial bool
}

//go:generate go run ./internal/fastgen/cmd

func newFastSchema(es graphql.ExecutableSchema, resolvers ResolverRoot, serial bool) *fastSchema {
	return &fastSchema{ExecutableSchema: es, bindings: fastBindings(resolvers), plans: lru.New[*plan](maxPlans), serial: serial}
}

// Exec runs the operation in ctx: through its plan if it has one, through gqlgen otherwise.
func (s *fastSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return s.ExecutableSchema.Exec(ctx)
	}
	p := s.plan(ctx, oc)
	if p == nil {
		fastStats.unsupported.Add(1)
		return s.ExecutableSchema.Exec(ctx)
	}
	opCtx := ctx
	var fallback graphql.ResponseHandler
	done := false
	return func(ctx context.Context) *graphql.Response {
		if fallback != nil {
			return fallback(ctx)
		}
		if done {
			return nil
		}
		done = true
		if data, ok := p.run(ctx, oc, s.serial); ok {
			fastStats.served.Add(1)
			return &graphql.Response{Data: data}
		}
		fastStats.retried.Add(1)
		fallback = s.ExecutableSchema.Exec(opCtx)
		return fallback(ctx)
	}
}

// plan returns the operation's compiled plan, or nil if the fast path does not support it.
// Plans are kept per query text and operation name, unless @skip or @include read variables
// (then the plan, which has them applied, holds for this request only).
func (s *fastSchema) plan(ctx context.Context, oc *graphql.OperationContext) *plan {
	key := oc.RawQuery // a query has no NUL (the lexer refuses it): the keys cannot meet
	if oc.OperationName != "" {
		key = oc.OperationName + "\x00" + key
	}
	if p, ok := s.plans.Get(ctx, key); ok {
		if p.unsupported {
			return nil
		}
		return p
	}
	c := &compiler{schema: s.Schema(), oc: oc, bindings: s.bindings}
	p, err := c.compile()
	if err != nil {
		p = &plan{unsupported: true}
	}
	if !usesVariableDirectives(oc.Doc) && len(oc.RawQuery) <= maxCachedQuery {
		s.plans.Add(ctx, key, p)
	}
	if p.unsupported {
		return nil
	}
	return p
}

// errUnsupported is why an operation is left to gqlgen.
type errUnsupported string

func (e errUnsupported) Error() string { return "fast path: " + string(e) }

func unsupported(format string, args ...any) error {
	return errUnsupported(fmt.Sprintf(format, args...))
}

// plan is a compiled query operation.
type plan struct {
	unsupported bool
	root        []*rootField
}

// run executes the plan and returns the answer's data, or false if gqlgen must answer.
// It writes no error to the response: a root field interceptor's errors go to a response
// context of its own, and are gqlgen's to report when it executes the operation again.
func (p *plan) run(ctx context.Context, oc *graphql.OperationContext, serial bool) ([]byte, bool) {
	ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Query"})
	// Root fields run concurrently, as gqlgen runs them, so that their reads do not wait for
	// each other (unless serial); each writes into a buffer of its own.
	parts := make([][]byte, len(p.root))
	oks := make([]bool, len(p.root))
	var wg sync.WaitGroup
	last := -1
	for i, f := range p.root {
		if f.typename != nil {
			parts[i], oks[i] = f.typename, true
			continue
		}
		if last >= 0 {
			wg.Add(1)
			i, f := last, p.root[last]
			run := func() {
				defer wg.Done()
				parts[i], oks[i] = f.run(ctx, oc, nil)
			}
			if serial {
				run()
			} else {
				pool.Go(run)
			}
		}
		last = i
	}
	if len(p.root) == 1 && last == 0 {
		// One field: written in place, after the answer's start.
		f := p.root[0]
		out, ok := f.run(ctx, oc, append([]byte{'{'}, f.key...))
		if !ok || len(graphql.GetErrors(ctx)) > 0 {
			return nil, false
		}
		return append(out, '}'), true
	}
	if last >= 0 {
		parts[last], oks[last] = p.root[last].run(ctx, oc, nil)
	}
	wg.Wait()
	if len(graphql.GetErrors(ctx)) > 0 {
		return nil, false
	}
	n := 1 + len(p.root)
	for i, f := range p.root {
		if !oks[i] {
			return nil, false
		}
		n += len(f.key) + len(parts[i])
	}
	buf := make([]byte, 0, n)
	buf = append(buf, '{')
	for i, f := range p.root {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, f.key...)
		buf = append(buf, parts[i]...)
	}
	return append(buf, '}'), true
}

// rootField is a field of Query in a plan.
type rootField struct {
	key      []byte // "alias":
	typename []byte // the value of __typename; nil for other fields
	field    graphql.CollectedField
	resolver reflect.Value // the QueryResolver's method
	args     []argument
	write    writer
	size     atomic.Int64 // the length of the last value written, to size the next one's buffer
}

// run resolves the field through the root field interceptors and writes its value after
// prefix.
func (f *rootField) run(ctx context.Context, oc *graphql.OperationContext, prefix []byte) (out []byte, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			out, ok = nil, false
		}
	}()
	ctx = graphql.WithRootFieldContext(ctx, &graphql.RootFieldContext{Object: f.field.Name, Field: f.field})
	x := &execution{oc: oc, buf: append(make([]byte, 0, int(f.size.Load())+len(prefix)+64), prefix...)}
	var wrote bool
	m := oc.RootResolverMiddleware(ctx, func(ctx context.Context) graphql.Marshaler {
		v, ctx, ok := callResolver(ctx, oc, "Query", f.field, f.resolver, reflect.Value{}, f.args)
		if ok {
			wrote = f.write(ctx, x, v)
		}
		return graphql.Null
	})
	if m != graphql.Null || !wrote {
		return nil, false
	}
	f.size.Store(int64(len(x.buf)))
	return x.buf, true
}

// execution is one run of a plan: the answer being written.
type execution struct {
	oc  *graphql.OperationContext
	buf []byte
}

// writer writes a value as the plan's type and selection say; false: gqlgen must answer.
type writer func(ctx context.Context, x *execution, v reflect.Value) bool

// argument turns one GraphQL argument's value into the resolver's parameter.
type argument struct {
	name   string
	coerce func(v any) (reflect.Value, bool)
}

// callResolver calls a resolver method with the field's arguments, in ctx with a FieldContext
// as gqlgen gives one (connection resolvers read their selections from it), and returns the
// result with that context, for the result's own fields. obj is the parent object, invalid for
// root fields.
func callResolver(ctx context.Context, oc *graphql.OperationContext, object string, field graphql.CollectedField, method reflect.Value, obj reflect.Value, args []argument) (reflect.Value, context.Context, bool) {
	fc := &graphql.FieldContext{Parent: graphql.GetFieldContext(ctx), Object: object, Field: field, IsMethod: true, IsResolver: true}
	in := make([]reflect.Value, 0, 2+len(args))
	in = append(in, reflect.Value{}) // the context, once it has the field context
	if obj.IsValid() {
		in = append(in, obj)
	}
	if len(args) > 0 {
		raw := field.ArgumentMap(oc.Variables)
		fc.Args = make(map[string]any, len(args))
		for _, a := range args {
			v, ok := a.coerce(raw[a.name])
			if !ok {
				return reflect.Value{}, ctx, false
			}
			fc.Args[a.name] = v.Interface()
			in = append(in, v)
		}
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	in[0] = reflect.ValueOf(ctx)
	out := method.Call(in)
	if len(out) == 2 && !out[1].IsNil() {
		return reflect.Value{}, ctx, false
	}
	return out[0], ctx, true
}

// usesVariableDirectives reports whether @skip or @include anywhere in the document read a
// variable, so that what the operation selects depends on the request.
func usesVariableDirectives(doc *ast.QueryDocument) bool {
	if doc == nil {
		return true
	}
	var walk func(ast.SelectionSet) bool
	dirs := func(ds ast.DirectiveList) bool {
		for _, d := range ds {
			for _, a := range d.Arguments {
				if a.Value != nil && a.Value.Kind == ast.Variable {
					return true
				}
			}
		}
		return false
	}
	walk = func(set ast.SelectionSet) bool {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if dirs(s.Directives) || walk(s.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if dirs(s.Directives) || walk(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if dirs(s.Directives) {
					return true
				}
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if walk(op.SelectionSet) {
			return true
		}
	}
	for _, f := range doc.Fragments {
		if walk(f.SelectionSet) {
			return true
		}
	}
	return false
}
