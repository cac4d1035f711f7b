// Package bench holds what Pause's benchmarks share: the GraphQL queries they send and the
// extra tools that make a 100-item list. Two programs use it: the in-process benchmarks
// (go test -bench . ./bench/) and the load benchmark against Apollo Server (bench/load, run by
// `make bench`). It imports pause only.
package bench

import (
	"fmt"

	"pause"
)

// Query is one GraphQL query the benchmarks send.
type Query struct {
	// Name is short, for tables and benchmark names.
	Name string
	// Text is the GraphQL document.
	Text string
}

// SeedSlug is the article of the seed page.
const SeedSlug = "what-is-asynchronous-communication-really"

// Queries are the benchmarked queries, in the order of the tables:
//
//   - seed: the page about asynchronous communication, as the frontend asks for it;
//   - article: an article by slug with its body and its related tools;
//   - category: the tools of one category, with their count and the page's cursor;
//   - list100: a page of 100 tools with several fields.
var Queries = []Query{
	{"seed", `{ article(slug: "` + SeedSlug + `") { title excerpt bodyHtml updatedAt readingTimeMinutes author { name } } benefits { nodes { title summaryHtml points position } } tools(first: 0) { totalCount } }`},
	{"article", `{ article(slug: "` + SeedSlug + `") { id slug title excerpt body bodyHtml tags readingTimeMinutes publishedAt updatedAt author { name avatarUrl } coverImage { url alt } relatedTools { id slug name tagline websiteUrl logoUrl category pricing } } }`},
	{"category", `{ tools(first: 20, filter: { category: "Team chat" }) { totalCount nodes { id slug name tagline websiteUrl logoUrl pricing platforms tags featured } pageInfo { hasNextPage endCursor } } }`},
	{"list100", `{ tools(first: 100) { totalCount nodes { id slug name tagline category pricing platforms tags featured websiteUrl logoUrl updatedAt } pageInfo { hasNextPage endCursor } } }`},
}

// ListSize is how many published tools the benchmarks' store holds: the sample's and
// ExtraTools', so that the list100 query gets a full page.
const ListSize = 100

// categories are the sample content's tool categories: the extra tools spread over them.
var categories = []string{"Team chat", "Documentation", "Project management", "Video messaging", "Whiteboards", "Async standups"}

var pricings = []pause.Pricing{pause.PricingFree, pause.PricingFreemium, pause.PricingPaid, pause.PricingOpenSource}

// ExtraTools returns n tools to create and publish beside the sample content (19 tools), so
// that lists have ListSize items. They are the same in every run.
func ExtraTools(n int) []pause.ToolInput {
	out := make([]pause.ToolInput, n)
	for i := range out {
		name := fmt.Sprintf("Bench Tool %03d", i)
		out[i] = pause.ToolInput{
			Name:        &name,
			Tagline:     ptr(fmt.Sprintf("The tool number %d, for the benchmarks", i)),
			Description: ptr(fmt.Sprintf("Bench Tool %d helps a team **write things down**.\n\n- one\n- two\n", i)),
			WebsiteURL:  ptr(fmt.Sprintf("https://example.com/tools/%d", i)),
			LogoURL:     ptr(fmt.Sprintf("https://example.com/tools/%d.png", i)),
			Category:    &categories[i%len(categories)],
			Pricing:     &pricings[i%len(pricings)],
			Platforms:   []string{"Web", "macOS", "Windows"},
			Tags:        []string{"bench", fmt.Sprintf("group-%d", i%7)},
			Featured:    ptr(i%5 == 0),
		}
	}
	return out
}

func ptr[V any](v V) *V { return &v }
