package server_test

import (
	"fmt"
	"strings"

	"pause/graph"
)

// rawPost is a raw HTTP POST of body to /graphql with the header lines given, for what Go's
// client would not send as it is (several header lines of one field, in this order).
func rawPost(body string, headers ...string) string {
	var b strings.Builder
	b.WriteString("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: " + acceptGraphQL + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

// authorizationCases are the catalogue's requests with more than one credential: each names a
// mutation that the first credential (an admin's) may make, so that the store would change if
// the server took the first, and is refused whole with 400 BAD_REQUEST.
func authorizationCases(admin, editor, toolID string, version int) []badCase {
	del := gql(fmt.Sprintf(`mutation { deleteTool(id: %q, version: %d) }`, toolID, version), nil)
	return []badCase{
		{name: "two Authorization headers", raw: rawPost(del, "Authorization: Bearer "+admin, "Authorization: Bearer "+editor), status: 400, code: graph.CodeBadRequest},
		{name: "two identical Authorization headers", raw: rawPost(del, "Authorization: Bearer "+admin, "Authorization: Bearer "+admin), status: 400, code: graph.CodeBadRequest},
		{name: "an empty Authorization header, then a token", raw: rawPost(del, "Authorization: ", "Authorization: Bearer "+admin), status: 400, code: graph.CodeBadRequest},
		{name: "a token, then another Authorization scheme", raw: rawPost(del, "Authorization: Bearer "+admin, "authorization: Basic ZWQ6c2VjcmV0"), status: 400, code: graph.CodeBadRequest},
		{name: "two credentials in one Authorization header", raw: rawPost(del, "Authorization: Bearer "+admin+", Bearer "+editor), status: 400, code: graph.CodeBadRequest},
	}
}
