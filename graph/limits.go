package graph

import (
	"context"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"pause"
)

// Limits bound what one request may ask for, so that an expensive or malicious query is
// refused before it runs, cheaply. Each limit has its own extensions.code. A zero field takes
// the default; a negative one turns the limit off.
type Limits struct {
	// MaxTokens is how many lexical tokens a query may have (CodeTokenLimit); it bounds the
	// work of parsing and validating, which grows with the square of the number of fields
	// for some documents (about 40 ms at 1000 tokens, 0.7 s at 5000). Default 1000: a page's
	// query has a few hundred at most.
	MaxTokens int
	// MaxDepth is how deeply fields may nest (CodeDepthLimit); the fields of introspection
	// (__schema, __type) are not counted, a rule of their own bounds them. Default 10.
	MaxDepth int
	// MaxComplexity is the most an operation may cost (CodeComplexityLimit): a field costs
	// 1 plus its children, a list of n items costs n times its children (a connection
	// `first` times, relatedTools as many as an article may name). Default 5000.
	MaxComplexity int
	// MaxAliases is how many aliased fields an operation may have, counted as often as
	// fragments repeat them (CodeAliasLimit). Default 20.
	MaxAliases int
	// MaxRootFields is how many fields an operation may select at its root
	// (CodeRootFieldLimit). Default 15.
	MaxRootFields int
	// MaxDirectives is how many directives an operation may use, counted as often as
	// fragments repeat them (CodeDirectiveLimit). Default 50.
	MaxDirectives int
	// MaxBatch is how many operations one POST may send as a JSON array. Zero (the
	// default) turns batching off: arrays get CodeBatchingDisabled.
	MaxBatch int
}

// Default limits.
const (
	DefaultMaxTokens     = 1000
	DefaultMaxDepth      = 10
	DefaultMaxComplexity = 5000
	DefaultMaxAliases    = 20
	DefaultMaxRootFields = 15
	DefaultMaxDirectives = 50
)

// withDefaults fills the zero limits with the defaults.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxTokens, DefaultMaxTokens)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxComplexity, DefaultMaxComplexity)
	def(&l.MaxAliases, DefaultMaxAliases)
	def(&l.MaxRootFields, DefaultMaxRootFields)
	def(&l.MaxDirectives, DefaultMaxDirectives)
	return l
}

// complexityRoot gives the fields that return many items their cost: a connection costs
// `first` (or `last`) times its children (the page size the CMS will be asked for, at most pause.MaxFirst,
// since a larger `first` is refused by the CMS with BAD_USER_INPUT before any work), and an
// article's relatedTools as many times as an article may name tools.
func complexityRoot() ComplexityRoot {
	var c ComplexityRoot
	c.Query.Articles = func(child int, first *int, _ *string, last *int, _ *string, _ *pause.ArticleFilter, _ *pause.Order) int {
		return listCost(child, pageSize(first, last))
	}
	c.Query.Benefits = func(child int, first *int, _ *string, last *int, _ *string, _ *pause.BenefitFilter, _ *pause.Order) int {
		return listCost(child, pageSize(first, last))
	}
	c.Query.Tools = func(child int, first *int, _ *string, last *int, _ *string, _ *pause.ToolFilter, _ *pause.Order) int {
		return listCost(child, pageSize(first, last))
	}
	c.Article.RelatedTools = func(child int) int { return listCost(child, pause.MaxRelated) }
	c.ArticleDraft.RelatedTools = func(child int) int { return listCost(child, pause.MaxRelated) }
	c.ArticleSnapshot.RelatedTools = func(child int) int { return listCost(child, pause.MaxRelated) }
	c.Query.Nodes = func(child int, ids []string) int { return listCost(child, min(len(ids), pause.MaxFirst)) }
	// Rendering up to 200 KiB of Markdown is the work of a page of items.
	c.Query.RenderMarkdown = func(int, string) int { return RenderMarkdownCost }
	c.Mutation.ReorderBenefits = func(child int, ids []string, _ []int) int {
		return listCost(child, min(len(ids), pause.MaxFirst))
	}
	return c
}

// RenderMarkdownCost is the complexity of renderMarkdown: a preview renders as much Markdown
// as a page of articles holds, so it costs like one.
const RenderMarkdownCost = 100

// pageSize is the size of the page that first, or last when it is given, asks for.
func pageSize(first, last *int) int {
	if last != nil {
		first = last
	}
	if first == nil {
		return pause.DefaultFirst
	}
	return min(max(*first, 0), pause.MaxFirst)
}

// listCost is the cost of a field that returns n items, each costing child: at least the cost
// of one item, so that `first: 0` with totalCount still counts its children.
func listCost(child, n int) int {
	return satAdd(1, satMul(max(n, 1), child))
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// tokenLimit refuses queries with more than max tokens before they are parsed, so that a huge
// document costs one pass of the lexer and no validation. It runs after the persisted-query
// extension has put the query in place. It remembers the queries that passed (those short
// enough for the query cache), so that a query sent again is not lexed again.
type tokenLimit struct {
	max    int
	passed graphql.Cache[struct{}]
}

// knownQueries is how many queries tokenLimit and shapeLimit remember, as the query cache.
const knownQueries = 1000

func newTokenLimit(max int) *tokenLimit {
	return &tokenLimit{max: max, passed: lru.New[struct{}](knownQueries)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = &tokenLimit{}

func (*tokenLimit) ExtensionName() string                   { return "PauseTokenLimit" }
func (*tokenLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (t *tokenLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, ok := t.passed.Get(ctx, p.Query); ok {
		return nil
	}
	lex := lexer.New(&ast.Source{Input: p.Query})
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil {
			return nil // the parser reports lexical errors
		}
		if tok.Kind == lexer.EOF {
			if len(p.Query) <= maxCachedQuery {
				t.passed.Add(ctx, p.Query, struct{}{})
			}
			return nil
		}
		if n >= t.max {
			return requestError(CodeTokenLimit, "The query has more than %d tokens.", t.max)
		}
	}
}

// shapeLimit measures the selected operation once, following fragments (each measured once,
// however often it is spread, so that a "fragment bomb" costs linear time), and refuses it if
// it is too deep, too costly, or uses too many aliases, root fields or directives. It runs
// after validation, before anything is executed.
type shapeLimit struct {
	limits Limits
	// introspection allows __schema and __type; without it they are refused as invalid.
	introspection bool
	es            graphql.ExecutableSchema
	// passed remembers the operations without variables that passed, by query and operation
	// name: their shape depends on the document alone, so a query sent again is not measured
	// again. Refusals are measured every time (they are rare, and their errors are not shared).
	passed graphql.Cache[struct{}]
}

func newShapeLimit(limits Limits, introspection bool) *shapeLimit {
	return &shapeLimit{limits: limits, introspection: introspection, passed: lru.New[struct{}](knownQueries)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &shapeLimit{}

func (*shapeLimit) ExtensionName() string { return "PauseShapeLimit" }

func (s *shapeLimit) Validate(es graphql.ExecutableSchema) error {
	s.es = es
	return nil
}

func (s *shapeLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	var key string
	if len(op.Operation.VariableDefinitions) == 0 && len(op.RawQuery) <= maxCachedQuery {
		key = op.OperationName + "\x00" + op.RawQuery
		if _, ok := s.passed.Get(ctx, key); ok {
			return nil
		}
	}
	if err := s.measure(ctx, op); err != nil {
		return err
	}
	if key != "" {
		s.passed.Add(ctx, key, struct{}{})
	}
	return nil
}

func (s *shapeLimit) measure(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	m := &measurer{ctx: ctx, es: s.es, vars: op.Variables, doc: op.Doc, frags: map[string]*shape{}}
	sh := m.selectionSet(op.Operation.SelectionSet)
	roots := m.rootFields(op.Operation.SelectionSet, map[string]bool{})
	l := s.limits
	switch {
	case m.introspects && !s.introspection:
		return requestError(errcode.ValidationFailed, "Introspection is disabled on this server.")
	case l.MaxDepth >= 0 && sh.depth > l.MaxDepth:
		return requestError(CodeDepthLimit, "The query nests fields %d levels deep; the limit is %d.", sh.depth, l.MaxDepth)
	case l.MaxRootFields >= 0 && roots > l.MaxRootFields:
		return requestError(CodeRootFieldLimit, "The operation selects %d root fields; the limit is %d.", roots, l.MaxRootFields)
	case l.MaxAliases >= 0 && sh.aliases > l.MaxAliases:
		return requestError(CodeAliasLimit, "The operation uses %s aliases; the limit is %d.", count(sh.aliases), l.MaxAliases)
	case l.MaxDirectives >= 0 && sh.directives > l.MaxDirectives:
		return requestError(CodeDirectiveLimit, "The operation uses %s directives; the limit is %d.", count(sh.directives), l.MaxDirectives)
	case l.MaxComplexity >= 0 && sh.cost > l.MaxComplexity:
		return requestError(CodeComplexityLimit, "The operation may cost %s; the limit is %d. Ask for fewer items (first) or fewer fields.", count(sh.cost), l.MaxComplexity)
	}
	return nil
}

func count(n int) string {
	if n == math.MaxInt {
		return "more than any limit"
	}
	return strconv.Itoa(n)
}

// shape is what the limits look at in a selection set.
type shape struct {
	depth, aliases, directives, cost int
}

type measurer struct {
	ctx   context.Context
	es    graphql.ExecutableSchema
	vars  map[string]any
	doc   *ast.QueryDocument
	frags map[string]*shape // measured fragments; nil value while one is being measured
	// introspects is set when the operation asks for __schema or __type.
	introspects bool
}

func (m *measurer) selectionSet(set ast.SelectionSet) shape {
	var out shape
	add := func(s shape, depth int) {
		out.depth = max(out.depth, depth)
		out.aliases = satAdd(out.aliases, s.aliases)
		out.directives = satAdd(out.directives, s.directives)
		out.cost = satAdd(out.cost, s.cost)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			f := m.field(s)
			add(f, f.depth)
		case *ast.InlineFragment:
			in := m.selectionSet(s.SelectionSet)
			in.directives = satAdd(in.directives, len(s.Directives))
			add(in, in.depth)
		case *ast.FragmentSpread:
			in := m.fragment(s.Name)
			in.directives = satAdd(in.directives, len(s.Directives))
			add(in, in.depth)
		}
	}
	return out
}

func (m *measurer) fragment(name string) shape {
	if sh, seen := m.frags[name]; seen {
		if sh == nil {
			return shape{} // a cycle: validation refuses those first
		}
		return *sh
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return shape{}
	}
	m.frags[name] = nil
	sh := m.selectionSet(def.SelectionSet)
	sh.directives = satAdd(sh.directives, len(def.Directives))
	m.frags[name] = &sh
	return sh
}

func (m *measurer) field(f *ast.Field) shape {
	out := shape{directives: len(f.Directives)}
	if f.Alias != "" && f.Alias != f.Name {
		out.aliases = 1
	}
	if f.Definition == nil || f.ObjectDefinition == nil {
		out.depth, out.cost = 1, 1
		return out
	}
	children := m.selectionSet(f.SelectionSet)
	out.aliases = satAdd(out.aliases, children.aliases)
	out.directives = satAdd(out.directives, children.directives)
	out.depth = children.depth + 1
	if isIntrospection(f) {
		m.introspects = true
		out.depth = 1 // bounded by validation's own introspection depth rule
	}
	cost, ok := m.es.Complexity(m.ctx, f.ObjectDefinition.Name, f.Name, children.cost, f.ArgumentMap(m.vars))
	if !ok || cost < 1 {
		cost = satAdd(1, children.cost)
	}
	out.cost = cost
	return out
}

func isIntrospection(f *ast.Field) bool {
	return f.Name == "__schema" || f.Name == "__type"
}

// rootFields counts the fields at the root of the operation, through fragments.
func (m *measurer) rootFields(set ast.SelectionSet, seen map[string]bool) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n = satAdd(n, m.rootFields(s.SelectionSet, seen))
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue // spreading a fragment twice selects its fields once
			}
			seen[s.Name] = true
			if def := m.doc.Fragments.ForName(s.Name); def != nil {
				n = satAdd(n, m.rootFields(def.SelectionSet, seen))
			}
		}
	}
	return n
}
