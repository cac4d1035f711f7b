package graph_test

import (
	"testing"

	"pause/graph"
)

func TestNegotiate(t *testing.T) {
	const gr, js = graph.MediaGraphQLResponse, graph.MediaJSON
	for _, tc := range []struct {
		accept []string
		want   string // "" for 406
	}{
		{nil, js},
		{[]string{""}, js},
		{[]string{"*/*"}, js},
		{[]string{"application/*"}, js},
		{[]string{"application/json"}, js},
		{[]string{"application/graphql-response+json"}, gr},
		{[]string{"application/graphql-response+json, application/json;q=0.9"}, gr},
		{[]string{"application/json, application/graphql-response+json"}, gr},
		{[]string{"application/json;q=1, application/graphql-response+json;q=0.5"}, js},
		{[]string{"application/graphql-response+json", "application/json"}, gr},
		{[]string{"application/graphql-response+json, */*"}, gr},
		{[]string{"application/json, */*;q=0.8"}, js},
		{[]string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, js},
		{[]string{"text/html"}, ""},
		{[]string{"application/json;q=0"}, ""},
		{[]string{"application/json;q=0, */*"}, gr},
		{[]string{"application/json;q=nope"}, ""},
		{[]string{"garbage;;;, application/json"}, js},
	} {
		got, ok := graph.Negotiate(tc.accept)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tc.accept, got, tc.want)
		}
	}
}
