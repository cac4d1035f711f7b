# Pause: the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
export CGO_ENABLED ?= 1

.PHONY: run run-dynamodb test vet staticcheck check-generate generate build deps browser clients fmt fuzz clean

## run: serve Pause on http://localhost:8080 with the embedded store and the sample content
run:
	$(GO) run ./cmd/pause serve

## run-dynamodb: the same on Amazon's DynamoDB Local (in memory: content lasts until you stop it)
run-dynamodb: build
	tools/dynamodb-local/with-dynamodb.sh sh -c '\
	  export AWS_ENDPOINT_URL_DYNAMODB=$$PAUSE_TEST_DYNAMODB_ENDPOINT AWS_REGION=$${AWS_REGION:-us-east-1} \
	    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local PAUSE_STORE=dynamodb PAUSE_TABLE=$${PAUSE_TABLE:-pause}; \
	  bin/pause table create && bin/pause import content && exec bin/pause serve'

## test: vet, staticcheck, the generate check, and every test (with -race) beside Amazon's DynamoDB Local
test: deps browser clients bench-deps vet staticcheck check-generate
	tools/dynamodb-local/with-dynamodb.sh $(GO) test -race -count=1 -timeout 30m ./...

## browser: install Debian's chromium for the browser tests (chromedp) if it is missing
browser:
	@tools/browser/ensure-chromium.sh >/dev/null

## clients: install the real client libraries the tests run (Apollo Client; tools/clients, from its lockfile)
clients:
	cd tools/clients && npm ci --no-audit --no-fund --loglevel=error

## deps: fetch the Go modules (gqlgen's generator needs more than the build does)
deps:
	$(GO) mod download all

vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## staticcheck: honnef.co/go/tools' checks (the version go.mod pins as a tool; exclusions, each
## with its reason, are //lint:ignore comments beside the code)
staticcheck:
	$(GO) tool staticcheck ./...

## generate: regenerate graph/ from schema.graphqls and gqlgen.yml, GraphiQL's bundle in server/graphiql/assets and the studio in studio/dist (npm ci + esbuild, from their package-lock.json)
generate:
	$(GO) generate ./...

## check-generate: fail when `go generate ./...` changes anything (generated code is output)
check-generate: generate
	@drift="$$(git status --porcelain -- graph server/graphiql studio content.generated.graphqls gqlgen.yml)"; \
	if [ -n "$$drift" ]; then echo "go generate ./... changed files; commit its output:"; echo "$$drift"; git diff --stat; exit 1; fi

## build: build bin/pause
build:
	$(GO) build -o bin/pause ./cmd/pause

## fuzz: run each fuzz target for FUZZTIME (default 30s); make test runs their committed seeds
FUZZTIME ?= 30s
FUZZ_TARGETS = .:FuzzSlugify .:FuzzDecodeCursor ./content:FuzzParse ./markdown:FuzzRender ./server:FuzzHandler
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t#*:}; echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
	done

clean:
	rm -rf bin dist

# --- Serverless deploy (infra/README.md) ---
.PHONY: lambda deploy destroy rotate-secret tools

RIE_MODULE = github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d

## lambda: build the Lambda bootstraps (linux/arm64) and their deployment packages: the API's, dist/pause-lambda.zip, and the sign-in function's (/auth/, passkeys included), dist/pause-auth.zip
lambda:
	@mkdir -p dist/api dist/auth
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc,nobolt,noaccounts -trimpath -ldflags '-s -w' -o dist/api/bootstrap ./lambda
	$(GO) run ./infra/lambdazip dist/api/bootstrap dist/pause-lambda.zip
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc,nobolt,authonly -trimpath -ldflags '-s -w' -o dist/auth/bootstrap ./lambda
	$(GO) run ./infra/lambdazip dist/auth/bootstrap dist/pause-auth.zip
	@ls -l dist/api/bootstrap dist/pause-lambda.zip dist/auth/bootstrap dist/pause-auth.zip

## deploy: build and deploy the stage STAGE to AWS (make deploy STAGE=demo; DRY_RUN=1 prints the aws commands instead)
deploy:
	infra/deploy.sh --stage "$(STAGE)" $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run) $(DEPLOY_FLAGS)

## destroy: remove the stage STAGE from AWS (DRY_RUN=1 prints the aws commands instead)
destroy:
	infra/destroy.sh --stage "$(STAGE)" $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run) $(DESTROY_FLAGS)

## rotate-secret: rotate the JWT secret of the stage STAGE, both secrets accepted until FINISH=1 ends it (infra/README.md)
rotate-secret:
	infra/rotate-secret.sh --stage "$(STAGE)" $(if $(filter 1 true yes,$(FINISH)),--finish) $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run) $(ROTATE_FLAGS)

## tools: install the Lambda runtime interface emulator into bin/ (the tests install it themselves if missing)
tools:
	GOBIN=$(CURDIR)/bin CGO_ENABLED=0 $(GO) install $(RIE_MODULE)

# --- Benchmarks (docs/PERFORMANCE.md) ---
.PHONY: bench bench-deps bench-go

BENCH_FLAGS ?=
NPM_CI = npm ci --no-audit --no-fund --loglevel=error

## bench: Pause (embedded store and DynamoDB Local behind a 4 ms delay per round trip, each with and without its public cache) against Apollo Server 5 (same schema, content and queries) over loopback, interleaved; about 7 minutes, stopped after 15
bench: bench-deps
	$(GO) build -o bin/pause-bench ./bench/load
	tools/dynamodb-local/with-dynamodb.sh timeout --kill-after=10s 900s bin/pause-bench $(BENCH_FLAGS)

## bench-deps: the benchmark's npm packages (autocannon, Apollo Server), from their lockfiles
bench-deps:
	cd bench && $(NPM_CI)
	cd bench/apollo && $(NPM_CI)

## bench-go: the in-process benchmarks of the GraphQL handler, with allocations
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/
