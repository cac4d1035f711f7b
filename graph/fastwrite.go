package graph

import (
	"context"
	"reflect"
	"strconv"
	"time"
)

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
