package graph_test

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pause"
	"pause/bolt"
	"pause/graph"
	"pause/ids"
	"pause/markdown"
)

// access is who may call a root field: the least role, and a call of it. Calls use ids that
// exist nowhere: a caller allowed in gets NOT_FOUND or a result, never an access error.
type access struct {
	least pause.Role
	call  string
}

// rules has an entry for every Query and Mutation field of the schema that is not one of a
// content type's (those come from the registry: itemRules). TestRoleMatrix fails when the
// schema has a field without a rule, so that no field ships unguarded.
var rules = map[string]access{
	"Query.node":               {pause.RoleAnonymous, `{ node(id: "nope") { id } }`},
	"Query.nodes":              {pause.RoleAnonymous, `{ nodes(ids: ["nope"]) { id } }`},
	"Query.contentTypes":       {pause.RoleViewer, `{ contentTypes { name fields { name kind } } }`},
	"Query.renderMarkdown":     {pause.RoleEditor, `{ renderMarkdown(markdown: "*hi*") }`},
	"Query.toolCategories":     {pause.RoleAnonymous, `{ toolCategories { name } }`},
	"Query.viewer":             {pause.RoleAnonymous, `{ viewer { role } }`},
	"Query.apiKeys":            {pause.RoleAdmin, `{ apiKeys { id } }`},
	"Query.auditLog":           {pause.RoleAdmin, `{ auditLog(filter: {actor: "x"}) { nodes { action } } }`},
	"Mutation.reorderBenefits": {pause.RoleEditor, `mutation { reorderBenefits(ids: ["x"]) { id } }`},
	"Mutation.createApiKey":    {pause.RoleAdmin, `mutation { createApiKey(name: "ci", role: EDITOR) { secret } }`},
	"Mutation.revokeApiKey":    {pause.RoleAdmin, `mutation { revokeApiKey(id: "x") { id } }`},
	// Accounts (accounts.graphqls).
	"Query.users":                     {pause.RoleAdmin, `{ users { id } }`},
	"Query.mySessions":                {pause.RoleViewer, `{ mySessions { id } }`},
	"Mutation.inviteUser":             {pause.RoleAdmin, `mutation { inviteUser(email: "new@example.com", name: "N", role: VIEWER) { link } }`},
	"Mutation.resetUser":              {pause.RoleAdmin, `mutation { resetUser(id: "x") { link } }`},
	"Mutation.resetUserSecondFactors": {pause.RoleAdmin, `mutation { resetUserSecondFactors(id: "x") { id } }`},
	"Mutation.setUserRole":            {pause.RoleAdmin, `mutation { setUserRole(id: "x", role: VIEWER) { id } }`},
	"Mutation.disableUser":            {pause.RoleAdmin, `mutation { disableUser(id: "x") { id } }`},
	"Mutation.enableUser":             {pause.RoleAdmin, `mutation { enableUser(id: "x") { id } }`},
	"Mutation.endUserSessions":        {pause.RoleAdmin, `mutation { endUserSessions(id: "x") { id } }`},
	"Mutation.revokeSession":          {pause.RoleViewer, `mutation { revokeSession(id: "x") }`},
	// Webhooks (events.graphqls).
	"Query.webhookEndpoints":         {pause.RoleAdmin, `{ webhookEndpoints { id deliveries { id } } }`},
	"Query.webhookEndpoint":          {pause.RoleAdmin, `{ webhookEndpoint(id: "x") { id } }`},
	"Query.eventTypes":               {pause.RoleAdmin, `{ eventTypes }`},
	"Mutation.createWebhookEndpoint": {pause.RoleAdmin, `mutation { createWebhookEndpoint(url: "https://10.0.0.1/") { secret } }`},
	"Mutation.updateWebhookEndpoint": {pause.RoleAdmin, `mutation { updateWebhookEndpoint(id: "x", version: 1, input: {}) { id } }`},
	"Mutation.deleteWebhookEndpoint": {pause.RoleAdmin, `mutation { deleteWebhookEndpoint(id: "x") }`},
	"Mutation.redeliverWebhookEvent": {pause.RoleAdmin, `mutation { redeliverWebhookEvent(endpointId: "x", eventId: "evt_1") { id } }`},
	"Mutation.sendTestWebhook":       {pause.RoleAdmin, `mutation { sendTestWebhook(endpointId: "x") { id } }`},
	// The media library (media.graphqls).
	"Query.media":             {pause.RoleViewer, `{ media(id: "x") { id } }`},
	"Query.mediaItems":        {pause.RoleViewer, `{ mediaItems(search: "x") { nodes { id } } }`},
	"Mutation.createUpload":   {pause.RoleEditor, `mutation { createUpload(filename: "a.png", contentType: "image/png", size: 10) { key } }`},
	"Mutation.completeUpload": {pause.RoleEditor, `mutation { completeUpload(key: "pending/x/a.png", alt: "A") { id } }`},
	"Mutation.updateMedia":    {pause.RoleEditor, `mutation { updateMedia(id: "x", version: 1, alt: "A") { id } }`},
	"Mutation.deleteMedia":    {pause.RoleAdmin, `mutation { deleteMedia(id: "x", version: 1) }`},
}

// createCall is a valid create mutation of the content type, made from its declaration: its
// required fields with a value each kind accepts (a nested field, such as author.name, in its
// object), so that a registered type needs no entry here.
func createCall(t *testing.T, ct *pause.ContentType) string {
	var fields []string
	nested := map[string][]string{}
	for _, f := range ct.Fields {
		if !f.Required {
			continue
		}
		var v string
		switch f.Kind {
		case pause.KindText, pause.KindSlug, pause.KindMarkdown:
			v = `"T"`
		case pause.KindURL:
			v = `"https://t.example"`
		case pause.KindEnum:
			v = f.Values[0]
		default:
			t.Errorf("%s.%s: createCall in roles_test.go has no value for a required %s field: add one", ct.Name, f.Name, f.Kind)
		}
		if obj, field, ok := strings.Cut(f.Name, "."); ok {
			if nested[obj] == nil {
				fields = append(fields, obj)
			}
			nested[obj] = append(nested[obj], field+": "+v)
			continue
		}
		fields = append(fields, f.Name+": "+v)
	}
	for i, f := range fields {
		if in, ok := nested[f]; ok {
			fields[i] = f + ": {" + strings.Join(in, ", ") + "}"
		}
	}
	return `mutation { create` + ct.TypeName + `(input: {` + strings.Join(fields, ", ") + `}) { id } }`
}

// itemRules are the access rules of the root fields that every content type has, made from its
// description, so that a registered type is covered without an entry in rules.
func itemRules(t *testing.T, ct *pause.ContentType) map[string]access {
	n, p, T := ct.Name, ct.Plural, ct.TypeName
	create := createCall(t, ct)
	write := func(op string) access {
		return access{pause.RoleEditor, `mutation { ` + op + `(id: "x", version: 1) { id } }`}
	}
	return map[string]access{
		"Query." + n:                        {pause.RoleAnonymous, `{ ` + n + `(slug: "nope") { id } }`},
		"Query." + p:                        {pause.RoleAnonymous, `{ ` + p + ` { totalCount } }`},
		"Query." + n + "Revisions":          {pause.RoleViewer, `{ ` + n + `Revisions(id: "x") { nodes { number } } }`},
		"Mutation.restore" + T + "Revision": {pause.RoleEditor, `mutation { restore` + T + `Revision(id: "x", revision: 1, version: 1) { id } }`},
		"Mutation.create" + T:               {pause.RoleEditor, create},
		"Mutation.update" + T:               {pause.RoleEditor, `mutation { update` + T + `(id: "x", version: 1, input: {}) { id } }`},
		"Mutation.publish" + T:              write("publish" + T),
		"Mutation.unpublish" + T:            write("unpublish" + T),
		"Mutation.archive" + T:              write("archive" + T),
		"Mutation.discard" + T + "Draft":    write("discard" + T + "Draft"),
		"Mutation.cancel" + T + "Schedule":  write("cancel" + T + "Schedule"),
		"Mutation.delete" + T:               {pause.RoleAdmin, `mutation { delete` + T + `(id: "x", version: 1) }`},
	}
}

// draftReads are reads of unpublished content: open to viewers and up, refused to anonymous
// callers.
var draftReads = []string{
	`{ articles(filter: {status: DRAFT}) { totalCount } }`,
	`{ benefits(filter: {status: ARCHIVED}) { totalCount } }`,
	`{ tools(filter: {status: DRAFT}) { nodes { id } } }`,
}

var roles = []pause.Role{pause.RoleAnonymous, pause.RoleViewer, pause.RoleEditor, pause.RoleAdmin}

func rank(r pause.Role) int {
	for i, x := range roles {
		if x == r {
			return i
		}
	}
	panic("unknown role " + r)
}

func TestRoleMatrix(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New})
	h := graph.NewHandler(graph.Options{CMS: cms, Webhooks: webhooksOf(t, cms, db.Stores())})
	rules := maps.Clone(rules)
	for _, col := range cms.Collections() {
		for f, r := range itemRules(t, col.Type()) {
			if _, dup := rules[f]; dup {
				t.Errorf("%s has a rule of its own and one from the registry", f)
			}
			rules[f] = r
		}
	}

	// Every root field of the schema has a rule, and every rule names a field.
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{CMS: cms}}).Schema()
	var fields []string
	for _, typ := range []string{"Query", "Mutation"} {
		for _, f := range schema.Types[typ].Fields {
			if f.Name[0] != '_' {
				fields = append(fields, typ+"."+f.Name)
			}
		}
	}
	sort.Strings(fields)
	for _, f := range fields {
		if _, ok := rules[f]; !ok {
			t.Errorf("%s has no access rule: add it to rules in roles_test.go", f)
		}
	}
	if len(rules) != len(fields) {
		t.Errorf("rules has %d entries for %d schema fields", len(rules), len(fields))
	}

	do := func(role pause.Role, q string) string {
		answer := graph.PostAs(h, role, q, nil)
		var out struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(answer, &out); err != nil {
			t.Fatalf("%s: %v: %s", q, err, answer)
		}
		if len(out.Errors) == 0 {
			return ""
		}
		code, _ := out.Errors[0].Extensions["code"].(string)
		return code
	}
	check := func(name string, least pause.Role, q string) {
		for _, role := range roles {
			code := do(role, q)
			denied := code == pause.EUNAUTHENTICATED || code == pause.EFORBIDDEN
			switch {
			case rank(role) >= rank(least) && denied:
				t.Errorf("%s as %s: refused with %s, want allowed", name, role, code)
			case rank(role) < rank(least) && role == pause.RoleAnonymous && code != pause.EUNAUTHENTICATED && least != pause.RoleViewer:
				t.Errorf("%s as %s: %q, want UNAUTHENTICATED", name, role, code)
			case rank(role) < rank(least) && !denied:
				t.Errorf("%s as %s: %q, want refused", name, role, code)
			case code == pause.EINTERNAL:
				t.Errorf("%s as %s: INTERNAL", name, role)
			}
		}
	}
	for _, f := range fields {
		if r, ok := rules[f]; ok {
			check(f, r.least, r.call)
		}
	}
	for _, q := range draftReads {
		check(q, pause.RoleViewer, q)
	}
}
