// Package graph is Pause's GraphQL adapter: the executor that gqlgen generates from
// schema.graphqls, the resolvers (one call into pause.CMS each), the per-request loaders, and the
// error presenter. It imports pause and gqlgen, never a store.
package graph

import "pause"

// Resolver is the root of the resolvers: it holds what they call.
type Resolver struct {
	CMS *pause.CMS
	// related remembers the related tools of the articles read (related.go).
	related relatedHints
	// Webhooks is the webhook service; nil where none is configured (the API says so).
	Webhooks *pause.Webhooks
}

// webhooks returns the webhook service, or UNAVAILABLE where none is configured.
func (r *Resolver) webhooks() (*pause.Webhooks, error) {
	if r.Webhooks == nil {
		return nil, pause.Errorf(pause.EUNAVAILABLE, "Webhooks are not configured on this server.")
	}
	return r.Webhooks, nil
}
