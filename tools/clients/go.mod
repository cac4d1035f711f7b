// This folder is npm's (node_modules), not Go's: this file keeps it out of module pause, so
// that go vet, staticcheck and go test ./... never look at Go files that npm packages ship.
module pause/tools/clients

go 1.26
