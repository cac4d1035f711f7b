// Package pause is the domain of Pause, a headless CMS: the content types (Article, Benefit,
// Tool) and their validation, the store contracts that every storage adapter implements, the
// errors and their codes, the viewer in the context, and CMS, the service that decides who may
// do what and turns editors' input into stored content.
//
// It imports the standard library only. Adapters (bolt, dynamo, graph, server) import it; it
// imports none of them.
package pause
