package dynamo

import (
	"reflect"
	"testing"
)

// Every content type has a key prefix of its own: two types with one prefix would share
// partitions, list indexes, counters and slug markers, and each list would show the other's
// items. tools/contentgen derives the prefixes from the types' names and stops on two alike;
// this holds what it wrote.
func TestKeyPrefixesAreUnique(t *testing.T) {
	stores := reflect.ValueOf(New(Config{Table: "unused"}).Stores())
	seen := map[kindKey]string{}
	n := 0
	for i := range stores.NumField() {
		s, ok := stores.Field(i).Interface().(interface{ prefix() kindKey })
		if !ok {
			continue
		}
		n++
		name := stores.Type().Field(i).Name
		if other, dup := seen[s.prefix()]; dup {
			t.Errorf("Stores.%s and Stores.%s share the key prefix %q: rename one of the types and run go generate ./...", name, other, s.prefix())
		}
		seen[s.prefix()] = name
	}
	if n < 3 {
		t.Fatalf("found %d content stores, want every one (articles, benefits, tools…)", n)
	}
}
