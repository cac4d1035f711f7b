package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"pause"
)

// delim is the line that opens and closes the front matter.
const delim = "---"

// parse splits a content file into its YAML front matter and its Markdown body. The file must
// start with a "---" line; the front matter runs to the next line that is exactly "---", and the
// body is the rest. One blank line after the closing "---" and one line break at the end of the
// file belong to the layout, not to the body, so that format(parse(f)) keeps every body exactly.
// Errors are EINVALID *pause.Errors.
func parse(data []byte) (frontMatter []byte, body string, err error) {
	if !bytes.HasPrefix(data, []byte(delim+"\n")) {
		if bytes.HasPrefix(data, []byte(delim+"\r\n")) {
			return nil, "", pause.Errorf(pause.EINVALID, "the file has Windows (CRLF) line endings; content files use LF")
		}
		return nil, "", pause.Errorf(pause.EINVALID, "the file must start with a %q line that opens the YAML front matter", delim)
	}
	rest := data[len(delim)+1:]
	for i := 0; ; {
		line, next := rest[i:], len(rest)
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line, next = line[:j], i+j+1
		}
		if string(line) == delim {
			frontMatter, rest = rest[:i], rest[next:]
			break
		}
		if next == len(rest) {
			return nil, "", pause.Errorf(pause.EINVALID, "the front matter has no closing %q line", delim)
		}
		i = next
	}
	rest = bytes.TrimPrefix(rest, []byte("\n"))
	rest = bytes.TrimSuffix(rest, []byte("\n"))
	return frontMatter, string(rest), nil
}

// format is the inverse of parse: frontMatter must be empty or end with a line break, and must
// have no line that is exactly "---".
func format(frontMatter []byte, body string) []byte {
	var b bytes.Buffer
	b.Grow(len(frontMatter) + len(body) + 16)
	b.WriteString(delim + "\n")
	b.Write(frontMatter)
	b.WriteString(delim + "\n")
	if body != "" {
		b.WriteString("\n")
		b.WriteString(body)
		b.WriteString("\n")
	}
	return b.Bytes()
}

// decode reads the front matter into v strictly: unknown keys, repeated keys, values of the
// wrong type and more than one YAML document are EINVALID errors that name the key and line.
func decode(frontMatter []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(frontMatter))
	dec.KnownFields(true)
	if err := dec.Decode(v); errors.Is(err, io.EOF) {
		return nil // empty front matter: every field keeps its zero value
	} else if err != nil {
		return yamlError(frontMatter, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return pause.Errorf(pause.EINVALID, "the front matter holds more than one YAML document")
	}
	return nil
}

var (
	unknownKey = regexp.MustCompile(`^line (\d+): field (\S+) not found in type`)
	lineNumber = regexp.MustCompile(`^line (\d+):`)
	plainKey   = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// yamlError turns a yaml.v3 error into an EINVALID error. Decoding errors carry the line of
// the value at fault, and name the top-level key that holds it; syntax errors give a line that
// is not always the one at fault, so they name no key.
func yamlError(frontMatter []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return pause.Errorf(pause.EINVALID, "the front matter is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	first := te.Errors[0]
	if m := unknownKey.FindStringSubmatch(first); m != nil {
		return pause.FieldErrorf(m[2], "line %s: unknown key %q in the front matter", m[1], m[2])
	}
	what := "is not valid"
	if strings.Contains(first, "cannot unmarshal") {
		what = "has a value of the wrong type"
	}
	e := pause.Errorf(pause.EINVALID, "the front matter %s: %s", what, strings.Join(te.Errors, "; "))
	if m := lineNumber.FindStringSubmatch(first); m != nil {
		n, _ := strconv.Atoi(m[1])
		e.Field = keyAt(frontMatter, n)
	}
	return e
}

// keyAt returns the top-level key whose value holds line n (counted from 1), or "".
func keyAt(frontMatter []byte, n int) string {
	lines := strings.Split(string(frontMatter), "\n")
	for i := min(n, len(lines)) - 1; i >= 0; i-- {
		l := lines[i]
		if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '#' || l[0] == '-' {
			continue
		}
		k, _, _ := strings.Cut(l, ":")
		if k = strings.Trim(strings.TrimSpace(k), `"'`); plainKey.MatchString(k) {
			return k
		}
		return ""
	}
	return ""
}

// encode writes v as front matter: two-space indents, keys in the order of v's fields.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode front matter: %w", err)
	}
	return b.Bytes(), nil
}
