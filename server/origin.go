package server

import "pause/internal/edge"

// OriginHeader is the request header in which a CDN in front of Pause (the deployment's
// CloudFront distribution) sends the origin secret (edge.RequireOrigin): with
// Config.OriginSecrets set, a request without one of them is refused.
const OriginHeader = edge.OriginHeader
