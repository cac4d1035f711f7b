package main

import (
	"go/format"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pause"
)

// The registry's types derive what the backends stored until now: the key prefixes, the body
// item of articles only, and the facets (names, and the fields they match). A type added since
// has nothing stored to keep reading, and is not listed.
func TestRegistryDerivesTodaysStorage(t *testing.T) {
	types, err := declared()
	if err != nil {
		t.Fatal(err)
	}
	models, err := modelsOf(types)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range models {
		var facets []string
		for _, f := range m.facets {
			facets = append(facets, f.name+"="+attrPath(f.item))
		}
		body := "-"
		if m.body != nil {
			body = m.body.path + "+" + m.html.path
		}
		got[m.Name] = m.prefix + " body:" + body + " facets:" + strings.Join(facets, ",")
	}
	want := map[string]string{
		"article": "ARTICLE body:body+bodyHtml facets:TAG=tags,AUTHOR=author.name",
		"benefit": "BENEFIT body:- facets:",
		"tool":    "TOOL body:- facets:CATEGORY=category,PRICING=pricing,TAG=tags,FEATURED=featured",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: derived %q, want %q (what it has stored until now)", name, got[name], w)
		}
	}
}

// caseStudy is an article-like type of the tests' own.
type caseStudy struct {
	pause.Meta
	Title        string
	Story        string
	StoryHTML    string
	Outcome      string
	Customer     pause.Author
	Industries   []string
	Pricing      pause.Pricing
	Featured     bool
	Logo         *pause.Image
	Employees    int
	SignedOn     *time.Time
	RelatedTools []string
	Draft        *caseStudy
}

type caseStudyFilter struct {
	pause.Scope
	Industry string         `field:"industries"`
	Customer string         `field:"customer.name"`
	Pricing  *pause.Pricing `field:"pricing"`
	Featured *bool          `field:"featured"`
}

func caseStudyType(storyBytes, outcomeBytes int) goType {
	return goType{
		ContentType: &pause.ContentType{Name: "caseStudy", Label: "Case study", Plural: "caseStudies", TypeName: "CaseStudy",
			Fields: []pause.Field{
				{Name: "title", Kind: pause.KindText, Required: true},
				{Name: "story", Kind: pause.KindMarkdown, MaxBytes: storyBytes},
				{Name: "outcome", Kind: pause.KindMarkdown, MaxBytes: outcomeBytes},
				{Name: "customer.name", Kind: pause.KindText, Required: true},
				{Name: "customer.avatarUrl", Kind: pause.KindURL},
				{Name: "industries", Kind: pause.KindStringList},
				{Name: "pricing", Kind: pause.KindEnum},
				{Name: "featured", Kind: pause.KindBoolean},
				{Name: "logo", Kind: pause.KindImage},
				{Name: "employees", Kind: pause.KindInt},
				{Name: "signedOn", Kind: pause.KindTime},
			}},
		Item: reflect.TypeFor[caseStudy](), Filter: reflect.TypeFor[caseStudyFilter](),
		Field: "CaseStudies", Store: reflect.TypeFor[pause.Store[*pause.Article, pause.ArticleFilter]](),
	}
}

// A new type's storage code follows from its declaration, and is Go that gofmt accepts; its
// largest Markdown field goes in a body item when the fields would not fit in the item.
func TestNewTypeStorage(t *testing.T) {
	m, err := modelOf(caseStudyType(pause.MaxBody, pause.MaxSummary))
	if err != nil {
		t.Fatal(err)
	}
	if m.prefix != "CASESTUDY" || m.body == nil || m.body.path != "story" || m.html == nil || m.html.goName != "StoryHTML" {
		t.Errorf("prefix %s, body %+v, html %+v: want CASESTUDY, story and StoryHTML", m.prefix, m.body, m.html)
	}
	var facets []string
	for _, f := range m.facets {
		facets = append(facets, f.name+"="+attrPath(f.item))
	}
	if want := []string{"INDUSTRY=industries", "CUSTOMER=customer.name", "PRICING=pricing", "FEATURED=featured"}; !slices.Equal(facets, want) {
		t.Errorf("facets %v, want %v", facets, want)
	}
	gofmt(t, boltCode([]*model{m}))
	dynamo := gofmt(t, dynamoCode([]*model{m}))
	for _, want := range []string{
		"Featured bool `dynamodbav:\"featured\"`",
		"Outcome string `dynamodbav:\"outcome,omitempty\"`",
		"SignedOn *time.Time `dynamodbav:\"signedOn,omitempty\"`",
		`expression.Contains(expression.Name("industries"), f.value)`,
		`expression.Name("customer.name").Equal(expression.Value(f.value))`,
		`struct{ withBody }`,
		`kindCaseStudy kindKey = "CASESTUDY"`,
	} {
		if !strings.Contains(strings.Join(strings.Fields(dynamo), " "), want) {
			t.Errorf("the dynamo code has no %s:\n%s", want, dynamo)
		}
	}

	small, err := modelOf(caseStudyType(pause.MaxDescription, pause.MaxSummary))
	if err != nil {
		t.Fatal(err)
	}
	if small.body != nil {
		t.Errorf("Markdown of %d and %d bytes: the body item holds %s, want none", pause.MaxDescription, pause.MaxSummary, small.body.path)
	}
	if _, err := modelOf(caseStudyType(pause.MaxBody, pause.MaxBody)); err == nil || !strings.Contains(err.Error(), "lower their MaxBytes") {
		t.Errorf("two Markdown fields of %d bytes: %v, want an error", pause.MaxBody, err)
	}
}

func gofmt(t *testing.T, src string) string {
	t.Helper()
	out, err := format.Source([]byte("package x\n" + src))
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return string(out)
}

// What contentgen cannot derive stops it with what to write.
func TestOmissionsFailLoudly(t *testing.T) {
	type odd struct {
		pause.Meta
		Title  string
		Scores map[string]int
		Draft  *odd
	}
	type untagged struct {
		pause.Scope
		Title string
	}
	type noDraft struct {
		pause.Meta
		Title string
	}
	type plain struct {
		pause.Meta
		Title string
		Draft *plain
	}
	ct := &pause.ContentType{Name: "odd", Label: "Odd", Plural: "odds", TypeName: "Odd", Fields: []pause.Field{{Name: "title", Kind: pause.KindText}}}
	empty := reflect.TypeFor[struct{ pause.Scope }]()
	for _, c := range []struct {
		name string
		t    goType
		want string
	}{
		{"an unknown Go kind", goType{ContentType: ct, Item: reflect.TypeFor[odd](), Filter: empty}, "does not know how to store"},
		{"a filter field without a field tag", goType{ContentType: ct, Item: reflect.TypeFor[plain](), Filter: reflect.TypeFor[untagged]()}, "has no `field` tag"},
		{"no draft field", goType{ContentType: ct, Item: reflect.TypeFor[noDraft](), Filter: empty}, "for its working draft"},
	} {
		if _, err := modelOf(c.t); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
	a, b := caseStudyType(pause.MaxBody, pause.MaxSummary), caseStudyType(pause.MaxBody, pause.MaxSummary)
	b.ContentType = &pause.ContentType{Name: "casestudy", Label: "Casestudy", Plural: "casestudies", TypeName: "Casestudy", Fields: a.Fields}
	if _, err := modelsOf([]goType{a, b}); err == nil || !strings.Contains(err.Error(), "share the DynamoDB key prefix CASESTUDY") {
		t.Errorf("two types named caseStudy and casestudy: %v, want an error", err)
	}
}
