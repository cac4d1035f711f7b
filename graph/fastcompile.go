package graph

import (
	"context"
	"reflect"
	"strconv"
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

// arguments compiles the coercion of a field's arguments into the parameters of its resolver
// method, from parameter first on.
func (c *compiler) arguments(def *ast.FieldDefinition, mt reflect.Type, first int) ([]argument, error) {
	if mt.NumIn() != first+len(def.Arguments) {
		return nil, unsupported("the arguments of %s", def.Name)
	}
	args := make([]argument, len(def.Arguments))
	for i, a := range def.Arguments {
		coerce, err := c.coercer(a.Type, mt.In(first+i))
		if err != nil {
			return nil, err
		}
		args[i] = argument{name: a.Name, coerce: coerce}
	}
	return args, nil
}

// coercer compiles the conversion of an input value (as field.ArgumentMap gives it: literals
// and JSON variables) into the Go type gqlgen's generated code would make of it, with the same
// functions. What it cannot convert, it refuses: gqlgen answers, with its own error.
func (c *compiler) coercer(t *ast.Type, gt reflect.Type) (func(any) (reflect.Value, bool), error) {
	if gt.Kind() == reflect.Pointer {
		inner, err := c.coercer(&ast.Type{NamedType: t.NamedType, Elem: t.Elem, NonNull: true}, gt.Elem())
		if err != nil {
			return nil, err
		}
		return func(v any) (reflect.Value, bool) {
			if v == nil {
				return reflect.Zero(gt), !t.NonNull
			}
			iv, ok := inner(v)
			if !ok {
				return iv, false
			}
			p := reflect.New(gt.Elem())
			p.Elem().Set(iv)
			return p, true
		}, nil
	}
	if t.Elem != nil {
		if gt.Kind() != reflect.Slice {
			return nil, unsupported("list argument into %s", gt)
		}
		elem, err := c.coercer(t.Elem, gt.Elem())
		if err != nil {
			return nil, err
		}
		return func(v any) (reflect.Value, bool) {
			if v == nil {
				return reflect.Zero(gt), !t.NonNull
			}
			list := graphql.CoerceList(v)
			out := reflect.MakeSlice(gt, len(list), len(list))
			for i, e := range list {
				ev, ok := elem(e)
				if !ok {
					return ev, false
				}
				out.Index(i).Set(ev)
			}
			return out, true
		}, nil
	}
	def := c.schema.Types[t.NamedType]
	if def == nil {
		return nil, unsupported("type %s", t.NamedType)
	}
	scalar := func(want reflect.Type, f func(any) (reflect.Value, error)) (func(any) (reflect.Value, bool), error) {
		if gt != want {
			return nil, unsupported("%s into %s", t.NamedType, gt)
		}
		return func(v any) (reflect.Value, bool) {
			if v == nil {
				return reflect.Value{}, false
			}
			rv, err := f(v)
			return rv, err == nil
		}, nil
	}
	switch def.Kind {
	case ast.Scalar:
		switch def.Name {
		case "String":
			return scalar(stringType, func(v any) (reflect.Value, error) {
				s, err := graphql.UnmarshalString(v)
				return reflect.ValueOf(s), err
			})
		case "ID":
			return scalar(stringType, func(v any) (reflect.Value, error) { s, err := graphql.UnmarshalID(v); return reflect.ValueOf(s), err })
		case "Int":
			return scalar(intType, func(v any) (reflect.Value, error) { n, err := graphql.UnmarshalInt(v); return reflect.ValueOf(n), err })
		case "Boolean":
			return scalar(boolType, func(v any) (reflect.Value, error) {
				b, err := graphql.UnmarshalBoolean(v)
				return reflect.ValueOf(b), err
			})
		case "Time":
			return scalar(timeType, func(v any) (reflect.Value, error) { t, err := UnmarshalTime(v); return reflect.ValueOf(t), err })
		}
		return nil, unsupported("scalar %s", def.Name)
	case ast.Enum:
		if gt.Kind() != reflect.String || reflect.PointerTo(gt).Implements(unmarshaler) {
			return nil, unsupported("enum %s into %s", def.Name, gt)
		}
		return func(v any) (reflect.Value, bool) {
			if v == nil {
				return reflect.Value{}, false
			}
			s, err := graphql.UnmarshalString(v)
			return reflect.ValueOf(s).Convert(gt), err == nil
		}, nil
	case ast.InputObject:
		return c.inputObject(def, gt)
	}
	return nil, unsupported("argument of type %s", def.Name)
}

// inputObject compiles the conversion of an input object into its Go struct, its fields in
// the schema's order and with the schema's defaults, as gqlgen's unmarshalInput does.
func (c *compiler) inputObject(def *ast.Definition, gt reflect.Type) (func(any) (reflect.Value, bool), error) {
	if gt.Kind() != reflect.Struct {
		return nil, unsupported("input %s", def.Name)
	}
	type inputField struct {
		name   string
		index  []int
		dflt   any
		hasDef bool
		coerce func(any) (reflect.Value, bool)
	}
	fields := make([]inputField, len(def.Fields))
	for i, fd := range def.Fields {
		b, ok := c.bindings[def.Name+"."+fd.Name]
		if !ok || b.kind != structMember {
			return nil, unsupported("input field %s.%s", def.Name, fd.Name)
		}
		index, ok := structField(gt, b.name)
		if !ok {
			return nil, unsupported("input field %s.%s", def.Name, fd.Name)
		}
		coerce, err := c.coercer(fd.Type, gt.FieldByIndex(index).Type)
		if err != nil {
			return nil, err
		}
		fields[i] = inputField{name: fd.Name, index: index, coerce: coerce}
		if fd.DefaultValue != nil {
			d, err := fd.DefaultValue.Value(nil)
			if err != nil {
				return nil, unsupported("default of %s.%s", def.Name, fd.Name)
			}
			fields[i].dflt, fields[i].hasDef = d, true
		}
	}
	return func(v any) (reflect.Value, bool) {
		m, ok := v.(map[string]any)
		if !ok {
			return reflect.Value{}, false
		}
		out := reflect.New(gt).Elem()
		for _, f := range fields {
			raw, present := m[f.name]
			if !present {
				if !f.hasDef {
					continue
				}
				raw = f.dflt
			}
			fv, ok := f.coerce(raw)
			if !ok {
				return fv, false
			}
			out.FieldByIndex(f.index).Set(fv)
		}
		return out, true
	}, nil
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

// scalarWriter writes the built-in scalars and Time exactly as gqlgen's marshalers do.
func scalarWriter(name string, gt reflect.Type, nonNull bool) (writer, error) {
	switch {
	case (name == "String" || name == "ID") && gt == stringType:
		return func(_ context.Context, x *execution, v reflect.Value) bool {
			x.buf = appendQuoted(x.buf, v.String())
			return true
		}, nil
	case name == "Int" && gt == intType:
		return func(_ context.Context, x *execution, v reflect.Value) bool {
			x.buf = strconv.AppendInt(x.buf, v.Int(), 10)
			return true
		}, nil
	case name == "Boolean" && gt == boolType:
		return func(_ context.Context, x *execution, v reflect.Value) bool {
			x.buf = strconv.AppendBool(x.buf, v.Bool())
			return true
		}, nil
	case name == "Time" && gt == timeType:
		return func(_ context.Context, x *execution, v reflect.Value) bool {
			var t time.Time
			if v.CanAddr() {
				t = *(*time.Time)(v.Addr().UnsafePointer())
			} else {
				t = v.Interface().(time.Time)
			}
			if t.IsZero() { // graphql.MarshalTime: null, an error where the schema forbids it
				x.buf = append(x.buf, "null"...)
				return !nonNull
			}
			x.buf = append(x.buf, '"')
			x.buf = t.AppendFormat(x.buf, time.RFC3339Nano)
			x.buf = append(x.buf, '"')
			return true
		}, nil
	}
	return nil, unsupported("scalar %s from %s", name, gt)
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

// fieldKey is a field's key in the answer: "alias":.
func fieldKey(alias string) []byte {
	return append(appendQuoted(nil, alias), ':')
}

const hexDigits = "0123456789ABCDEF"

// plainByte tells the bytes that appendQuoted copies as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendQuoted appends s as a JSON string, escaped as gqlgen escapes strings (graphql.MarshalString):
// quotes, backslashes and control characters, with \t, \r and \n by name and the others as
// \u00XX; everything else, invalid UTF-8 included, as it is.
func appendQuoted(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plainByte[c] {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '\t':
			buf = append(buf, `\t`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '"', '\\':
			buf = append(buf, '\\', c)
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
