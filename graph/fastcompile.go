package graph

import (
	"context"
	"reflect"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
	stringType  = reflect.TypeFor[string]()
	intType     = reflect.TypeFor[int]()
	boolType    = reflect.TypeFor[bool]()
	timeType    = reflect.TypeFor[time.Time]()
	marshaler   = reflect.TypeFor[graphql.Marshaler]()
	unmarshaler = reflect.TypeFor[graphql.Unmarshaler]()
)

// compiler turns one operation into a plan. It uses the operation's context for what
// graphql.CollectFields needs: fragments, and the variables of @skip and @include.
type compiler struct {
	schema   *ast.Schema
	oc       *graphql.OperationContext
	bindings map[string]fastBinding // fastBindings
}

// fastBinding is what the generated executor reads for one field (fastbind_gen.go).
type fastBinding struct {
	kind fieldKind
	fn   any    // resolverField: the resolver's method; modelMethodOf: the method expression
	name string // structMember: the Go field
}

func (c *compiler) compile() (*plan, error) {
	op := c.oc.Operation
	if len(op.Directives) > 0 {
		return nil, unsupported("operation directives")
	}
	p := &plan{}
	for _, f := range graphql.CollectFields(c.oc, op.SelectionSet, []string{"Query"}) {
		if err := checkField(f); err != nil {
			return nil, err
		}
		rf := &rootField{key: fieldKey(f.Alias), field: f}
		p.root = append(p.root, rf)
		if f.Name == "__typename" {
			rf.typename = appendQuoted(nil, "Query")
			continue
		}
		def := c.schema.Query.Fields.ForName(f.Name)
		if def == nil || strings.HasPrefix(f.Name, "__") {
			return nil, unsupported("Query.%s", f.Name)
		}
		b, ok := c.bindings["Query."+f.Name]
		if !ok || b.kind != resolverField {
			return nil, unsupported("Query.%s", f.Name)
		}
		m := reflect.ValueOf(b.fn)
		mt := m.Type()
		var err error
		if mt.NumIn() != 1+len(def.Arguments) || mt.In(0) != contextType || mt.NumOut() != 2 || mt.Out(1) != errorType {
			return nil, unsupported("the resolver of Query.%s", f.Name)
		}
		if rf.args, err = c.arguments(def, mt, 1); err != nil {
			return nil, err
		}
		if rf.write, err = c.value(def.Type, mt.Out(0), f.Selections, false); err != nil {
			return nil, err
		}
		rf.resolver = m
	}
	return p, nil
}

// checkField refuses what the plan leaves to gqlgen: @defer, and directives other than @skip
// and @include (which CollectFields has applied).
func checkField(f graphql.CollectedField) error {
	if len(f.Deferrables) > 0 {
		return unsupported("@defer")
	}
	for _, d := range f.Directives {
		if d.Name != "skip" && d.Name != "include" {
			return unsupported("@%s", d.Name)
		}
	}
	return nil
}

// structField finds the struct's field of the name, promoted fields of embedded structs (not
// pointers, which could be nil) included.
func structField(t reflect.Type, name string) ([]int, bool) {
	f, ok := t.FieldByName(name)
	if !ok || !f.IsExported() {
		return nil, false
	}
	for i := 1; i < len(f.Index); i++ {
		if t.FieldByIndex(f.Index[:i]).Type.Kind() != reflect.Struct {
			return nil, false
		}
	}
	return f.Index, true
}

// value compiles the writing of a value of Go type gt as the GraphQL type t with the
// selection. Resolver fields are left to gqlgen inside lists (inList), where gqlgen resolves
// the items concurrently and the loaders batch their reads.
func (c *compiler) value(t *ast.Type, gt reflect.Type, sel ast.SelectionSet, inList bool) (writer, error) {
	if gt.Kind() == reflect.Pointer {
		inner, err := c.value(t, gt.Elem(), sel, inList)
		if err != nil {
			return nil, err
		}
		nonNull := t.NonNull
		return func(ctx context.Context, x *execution, v reflect.Value) bool {
			if v.IsNil() {
				x.buf = append(x.buf, "null"...)
				return !nonNull
			}
			return inner(ctx, x, v.Elem())
		}, nil
	}
	if t.Elem != nil {
		if gt.Kind() != reflect.Slice {
			return nil, unsupported("list from %s", gt)
		}
		elem, err := c.value(t.Elem, gt.Elem(), sel, true)
		if err != nil {
			return nil, err
		}
		nonNull := t.NonNull
		return func(ctx context.Context, x *execution, v reflect.Value) bool {
			if v.IsNil() && !nonNull {
				x.buf = append(x.buf, "null"...)
				return true
			}
			x.buf = append(x.buf, '[')
			for i := range v.Len() {
				if i > 0 {
					x.buf = append(x.buf, ',')
				}
				if !elem(ctx, x, v.Index(i)) {
					return false
				}
			}
			x.buf = append(x.buf, ']')
			return true
		}, nil
	}
	def := c.schema.Types[t.NamedType]
	if def == nil {
		return nil, unsupported("type %s", t.NamedType)
	}
	switch def.Kind {
	case ast.Scalar:
		return scalarWriter(def.Name, gt, t.NonNull)
	case ast.Enum:
		if gt.Kind() != reflect.String || gt.Implements(marshaler) || reflect.PointerTo(gt).Implements(marshaler) {
			return nil, unsupported("enum %s from %s", def.Name, gt)
		}
		return func(_ context.Context, x *execution, v reflect.Value) bool {
			x.buf = appendQuoted(x.buf, v.String())
			return true
		}, nil
	case ast.Object:
		return c.object(def, gt, sel, inList)
	}
	return nil, unsupported("%s %s", def.Kind, def.Name)
}

// fieldKind is how an object's field gets its value.
type fieldKind uint8

const (
	literalField  fieldKind = iota // __typename
	structMember                   // a field of the Go struct
	modelMethodOf                  // a method of the Go type, without arguments
	resolverField                  // a method of the type's resolver
)

// objectField is one field of an object in a plan.
type objectField struct {
	kind     fieldKind
	key      []byte // "alias":
	literal  []byte
	index    []int
	method   reflect.Value // the method's func (receiver first), or the resolver's method
	withCtx  bool
	field    graphql.CollectedField
	args     []argument
	write    writer
	typeName string
}

// binding is what an object's field reads.
type binding struct {
	kind    fieldKind
	index   []int         // structMember
	method  reflect.Value // modelMethodOf: the method's func; resolverField: the resolver's method
	withCtx bool          // modelMethodOf: the method takes a context
	out     reflect.Type  // the Go type of the value
}

// bind finds what the field fd of the object def (Go struct gt) reads, as gqlgen's generated
// executor reads it (fastbind_gen.go), and checks that the Go types agree.
func (c *compiler) bind(def *ast.Definition, gt reflect.Type, fd *ast.FieldDefinition) (binding, error) {
	b, ok := c.bindings[def.Name+"."+fd.Name]
	if !ok {
		return binding{}, unsupported("%s.%s binds to nothing", def.Name, fd.Name)
	}
	ptr := reflect.PointerTo(gt)
	switch b.kind {
	case resolverField:
		m := reflect.ValueOf(b.fn)
		mt := m.Type()
		if mt.NumIn() != 2+len(fd.Arguments) || mt.In(0) != contextType || mt.In(1) != ptr || mt.NumOut() != 2 || mt.Out(1) != errorType {
			return binding{}, unsupported("the resolver of %s.%s", def.Name, fd.Name)
		}
		return binding{kind: resolverField, method: m, out: mt.Out(0)}, nil
	case modelMethodOf:
		m := reflect.ValueOf(b.fn)
		mt := m.Type()
		in := mt.NumIn() == 1 || (mt.NumIn() == 2 && mt.In(1) == contextType)
		out := mt.NumOut() == 1 || (mt.NumOut() == 2 && mt.Out(1) == errorType)
		if !in || !out || mt.In(0) != ptr || len(fd.Arguments) > 0 {
			return binding{}, unsupported("the method of %s.%s", def.Name, fd.Name)
		}
		return binding{kind: modelMethodOf, method: m, withCtx: mt.NumIn() == 2, out: mt.Out(0)}, nil
	case structMember:
		index, ok := structField(gt, b.name)
		if !ok || len(fd.Arguments) > 0 {
			return binding{}, unsupported("the field of %s.%s", def.Name, fd.Name)
		}
		return binding{kind: structMember, index: index, out: gt.FieldByIndex(index).Type}, nil
	}
	return binding{}, unsupported("%s.%s", def.Name, fd.Name)
}

// object compiles the writing of an object of the Go struct type gt with the selection.
func (c *compiler) object(def *ast.Definition, gt reflect.Type, sel ast.SelectionSet, inList bool) (writer, error) {
	if gt.Kind() != reflect.Struct {
		return nil, unsupported("object %s from %s", def.Name, gt)
	}
	satisfies := []string{def.Name}
	for _, i := range c.schema.GetImplements(def) {
		satisfies = append(satisfies, i.Name)
	}
	var fields []objectField
	for _, f := range graphql.CollectFields(c.oc, sel, satisfies) {
		if err := checkField(f); err != nil {
			return nil, err
		}
		of := objectField{key: fieldKey(f.Alias), field: f, typeName: def.Name}
		if f.Name == "__typename" {
			of.kind, of.literal = literalField, appendQuoted(nil, def.Name)
			fields = append(fields, of)
			continue
		}
		fd := def.Fields.ForName(f.Name)
		if fd == nil {
			return nil, unsupported("%s.%s", def.Name, f.Name)
		}
		b, err := c.bind(def, gt, fd)
		if err != nil {
			return nil, err
		}
		if b.kind == resolverField && inList {
			return nil, unsupported("resolver %s.%s in a list", def.Name, f.Name)
		}
		of.kind, of.index, of.method, of.withCtx = b.kind, b.index, b.method, b.withCtx
		if b.kind == resolverField {
			if of.args, err = c.arguments(fd, b.method.Type(), 2); err != nil {
				return nil, err
			}
		}
		w, err := c.value(fd.Type, b.out, f.Selections, inList)
		if err != nil {
			return nil, err
		}
		of.write = w
		fields = append(fields, of)
	}
	return func(ctx context.Context, x *execution, v reflect.Value) bool {
		x.buf = append(x.buf, '{')
		for i := range fields {
			f := &fields[i]
			if i > 0 {
				x.buf = append(x.buf, ',')
			}
			x.buf = append(x.buf, f.key...)
			switch f.kind {
			case literalField:
				x.buf = append(x.buf, f.literal...)
			case structMember:
				fv := v.Field(f.index[0])
				for _, j := range f.index[1:] {
					fv = fv.Field(j)
				}
				if !f.write(ctx, x, fv) {
					return false
				}
			case modelMethodOf:
				if !v.CanAddr() {
					return false
				}
				in := []reflect.Value{v.Addr()}
				if f.withCtx {
					in = append(in, reflect.ValueOf(ctx))
				}
				out := f.method.Call(in)
				if len(out) == 2 && !out[1].IsNil() {
					return false
				}
				if !f.write(ctx, x, out[0]) {
					return false
				}
			case resolverField:
				if !v.CanAddr() {
					return false
				}
				rv, rctx, ok := callResolver(ctx, x.oc, f.typeName, f.field, f.method, v.Addr(), f.args)
				if !ok || !f.write(rctx, x, rv) {
					return false
				}
			}
		}
		x.buf = append(x.buf, '}')
		return true
	}, nil
}
