package pause

import (
	"encoding/json"
	"unicode/utf8"
)

// appendCursorJSON appends what json.Marshal(cursor{o, key}) returns, without reflection: the
// same bytes, so that cursors do not change. Strings that are not valid UTF-8, which
// json.Marshal repairs, go through json.Marshal.
func appendCursorJSON(b []byte, o Order, key string) []byte {
	if !utf8.ValidString(string(o)) || !utf8.ValidString(key) {
		j, _ := json.Marshal(cursor{Order: o, Key: key})
		return append(b, j...)
	}
	b = append(b, `{"o":`...)
	b = appendJSONString(b, string(o))
	b = append(b, `,"k":`...)
	b = appendJSONString(b, key)
	return append(b, '}')
}

// appendJSONString appends s, valid UTF-8, as json.Marshal writes a string: quoted, with
// control characters, quotes, backslashes, <, >, & and U+2028, U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
