package graph

import (
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

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
