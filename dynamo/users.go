package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pause"
)

// The stores of accounts: users, sessions and failed sign-ins. Every read is strongly
// consistent (a disabled user or a revoked session must fail at once, on every server), and
// every write that touches more than one item is one transaction. Sessions and failure counts
// carry a TTL attribute, so that DynamoDB deletes them some time after they expire; the stores
// check expiry themselves, as TTL deletion may lag by days.

type passkeyItem struct {
	ID         []byte     `dynamodbav:"id"`
	Name       string     `dynamodbav:"name"`
	Credential []byte     `dynamodbav:"credential"`
	CreatedAt  time.Time  `dynamodbav:"createdAt"`
	LastUsedAt *time.Time `dynamodbav:"lastUsedAt,omitempty"`
}

type userItem struct {
	ID                 string        `dynamodbav:"id"`
	Email              string        `dynamodbav:"email"`
	Name               string        `dynamodbav:"name"`
	Role               string        `dynamodbav:"role"`
	PasswordHash       string        `dynamodbav:"passwordHash,omitempty"`
	TOTPSecret         []byte        `dynamodbav:"totpSecret,omitempty"`
	PendingTOTP        []byte        `dynamodbav:"pendingTotp,omitempty"`
	TOTPStep           int64         `dynamodbav:"totpStep"`
	RecoveryCodes      []string      `dynamodbav:"recoveryCodes"`
	Passkeys           []passkeyItem `dynamodbav:"passkeys"`
	Issuer             string        `dynamodbav:"issuer,omitempty"`
	Subject            string        `dynamodbav:"subject,omitempty"`
	LinkHash           string        `dynamodbav:"linkHash,omitempty"`
	LinkPurpose        string        `dynamodbav:"linkPurpose,omitempty"`
	LinkExpiresAt      *time.Time    `dynamodbav:"linkExpiresAt,omitempty"`
	DisabledAt         *time.Time    `dynamodbav:"disabledAt,omitempty"`
	SessionsValidAfter time.Time     `dynamodbav:"sessionsValidAfter"`
	CreatedAt          time.Time     `dynamodbav:"createdAt"`
	CreatedBy          string        `dynamodbav:"createdBy,omitempty"`
	UpdatedAt          time.Time     `dynamodbav:"updatedAt"`
	Version            int           `dynamodbav:"version"`
}

func toUserItem(u *pause.User) userItem {
	u = u.Clone()
	r := userItem{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), PasswordHash: u.PasswordHash,
		TOTPSecret: u.TOTPSecret, PendingTOTP: u.PendingTOTP, TOTPStep: u.TOTPStep, RecoveryCodes: u.RecoveryCodes,
		Passkeys: []passkeyItem{}, Issuer: u.Issuer, Subject: u.Subject, DisabledAt: u.DisabledAt,
		SessionsValidAfter: u.SessionsValidAfter.UTC(), CreatedAt: u.CreatedAt.UTC(), CreatedBy: u.CreatedBy,
		UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
	if r.RecoveryCodes == nil {
		r.RecoveryCodes = []string{}
	}
	for _, p := range u.Passkeys {
		r.Passkeys = append(r.Passkeys, passkeyItem(p))
	}
	if u.Link != nil {
		t := u.Link.ExpiresAt.UTC()
		r.LinkHash, r.LinkPurpose, r.LinkExpiresAt = u.Link.Hash, string(u.Link.Purpose), &t
	}
	return r
}

func fromUserItem(av map[string]types.AttributeValue) (*pause.User, error) {
	var r userItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("dynamo: decode user: %w", err)
	}
	u := &pause.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: pause.Role(r.Role), PasswordHash: r.PasswordHash,
		TOTPSecret: r.TOTPSecret, PendingTOTP: r.PendingTOTP, TOTPStep: r.TOTPStep, RecoveryCodes: r.RecoveryCodes,
		Issuer: r.Issuer, Subject: r.Subject, DisabledAt: r.DisabledAt, SessionsValidAfter: r.SessionsValidAfter.UTC(),
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if len(u.RecoveryCodes) == 0 {
		u.RecoveryCodes = nil
	}
	for _, p := range r.Passkeys {
		u.Passkeys = append(u.Passkeys, pause.Passkey(p))
	}
	if r.LinkHash != "" && r.LinkExpiresAt != nil {
		u.Link = &pause.SetupLink{Hash: r.LinkHash, Purpose: pause.LinkPurpose(r.LinkPurpose), ExpiresAt: r.LinkExpiresAt.UTC()}
	}
	return u, nil
}

// userStore is pause.UserStore on the table.
type userStore struct{ t *table }

func userKey(id string) map[string]types.AttributeValue { return key(usersPK(), id) }

// indexPut is the put of an index item that holds the user's id, if no such item exists.
func (t *table) indexPut(pk, userID string) types.TransactWriteItem {
	item := key(pk, skIndex)
	item["userId"] = str(userID)
	return types.TransactWriteItem{Put: &types.Put{TableName: &t.name, Item: item,
		ConditionExpression: aws.String("attribute_not_exists(" + attrPK + ")")}}
}

func (t *table) indexDelete(pk string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &t.name, Key: key(pk, skIndex)}}
}

// CreateUser writes the user, its email index and, if it has them, its identity and link
// indexes, and the audit entry, in one transaction; each index only if it does not exist.
func (s userStore) CreateUser(ctx context.Context, u *pause.User, e *pause.AuditEntry) error {
	if !validID(u.ID) {
		return pause.FieldErrorf("id", "a user needs an id of 1 to %d bytes", maxID)
	}
	av, err := attributevalue.MarshalMap(toUserItem(u))
	if err != nil {
		return fmt.Errorf("dynamo: encode user %s: %w", u.ID, err)
	}
	maps.Copy(av, userKey(u.ID))
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.t.name, Item: av, ConditionExpression: aws.String("attribute_not_exists(" + attrPK + ")")}},
		s.t.indexPut(userEmailPK(u.Email), u.ID),
	}
	if u.Issuer != "" {
		items = append(items, s.t.indexPut(userIdentityPK(u.Issuer, u.Subject), u.ID))
	}
	if u.Link != nil {
		items = append(items, s.t.indexPut(userLinkPK(u.Link.Hash), u.ID))
	}
	if items, err = s.t.withAudit(items, e); err != nil {
		return err
	}
	failed, err := s.t.transactAccounts(ctx, items, "create user "+u.ID)
	switch failed {
	case -1:
		return err
	case 1:
		return &pause.Error{Code: pause.ECONFLICT, Field: "email", Message: "A user with this email exists."}
	case 0:
		return pause.Errorf(pause.ECONFLICT, "A user with id %s exists.", u.ID)
	}
	return pause.Errorf(pause.ECONFLICT, "A user with this identity or link exists.")
}

func (t *table) withAudit(items []types.TransactWriteItem, e *pause.AuditEntry) ([]types.TransactWriteItem, error) {
	if e == nil {
		return items, nil
	}
	a, err := t.auditPut(e)
	return append(items, a), err
}

// UpdateUser reads the stored user (for its link), then writes the user on the condition
// that its version is the one before, moves the link index if the link changed, and writes
// the audit entry, in one transaction.
func (s userStore) UpdateUser(ctx context.Context, u *pause.User, e *pause.AuditEntry) error {
	old, err := s.User(ctx, u.ID)
	if err != nil {
		return err
	}
	if old.Version != u.Version-1 {
		return pause.Errorf(pause.ECONFLICT, "The user %s was changed meanwhile: try again.", u.Email)
	}
	av, err := attributevalue.MarshalMap(toUserItem(u))
	if err != nil {
		return fmt.Errorf("dynamo: encode user %s: %w", u.ID, err)
	}
	maps.Copy(av, userKey(u.ID))
	cond, err := expression.NewBuilder().WithCondition(
		expression.Name("version").Equal(expression.Value(u.Version - 1))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: update user %s: %w", u.ID, err)
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.t.name, Item: av,
		ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}}}
	oldHash, newHash := "", ""
	if old.Link != nil {
		oldHash = old.Link.Hash
	}
	if u.Link != nil {
		newHash = u.Link.Hash
	}
	if oldHash != newHash {
		if oldHash != "" {
			items = append(items, s.t.indexDelete(userLinkPK(oldHash)))
		}
		if newHash != "" {
			items = append(items, s.t.indexPut(userLinkPK(newHash), u.ID))
		}
	}
	if items, err = s.t.withAudit(items, e); err != nil {
		return err
	}
	failed, err := s.t.transactAccounts(ctx, items, "update user "+u.ID)
	if failed >= 0 {
		return pause.Errorf(pause.ECONFLICT, "The user %s was changed meanwhile: try again.", u.Email)
	}
	return err
}

func (s userStore) User(ctx context.Context, id string) (*pause.User, error) {
	if !validID(id) {
		return nil, pause.Errorf(pause.ENOTFOUND, "No such user.")
	}
	av, err := s.t.getItem(ctx, userKey(id), "get user "+id)
	if err != nil {
		return nil, err
	}
	if av == nil {
		return nil, pause.Errorf(pause.ENOTFOUND, "No such user.")
	}
	return fromUserItem(av)
}

// byIndex reads the index item with the partition key, then the user it names.
func (s userStore) byIndex(ctx context.Context, pk string) (*pause.User, error) {
	if len(pk) > 1024 {
		return nil, pause.Errorf(pause.ENOTFOUND, "No such user.")
	}
	av, err := s.t.getItem(ctx, key(pk, skIndex), "get user index")
	if err != nil {
		return nil, err
	}
	var id string
	if av != nil {
		_ = attributevalue.Unmarshal(av["userId"], &id)
	}
	if id == "" {
		return nil, pause.Errorf(pause.ENOTFOUND, "No such user.")
	}
	return s.User(ctx, id)
}

func (s userStore) UserByEmail(ctx context.Context, email string) (*pause.User, error) {
	return s.byIndex(ctx, userEmailPK(email))
}

func (s userStore) UserByIdentity(ctx context.Context, issuer, subject string) (*pause.User, error) {
	return s.byIndex(ctx, userIdentityPK(issuer, subject))
}

func (s userStore) UserByLink(ctx context.Context, hash string) (*pause.User, error) {
	return s.byIndex(ctx, userLinkPK(hash))
}

// Users queries the USERS partition and sorts the users by email.
func (s userStore) Users(ctx context.Context) ([]*pause.User, error) {
	users, err := queryAll(ctx, s.t, usersPK(), "list users", fromUserItem)
	if err != nil {
		return nil, err
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
	return users, nil
}

// getItem reads one item, strongly consistent; nil if there is none.
func (t *table) getItem(ctx context.Context, k map[string]types.AttributeValue, what string) (map[string]types.AttributeValue, error) {
	out, err := t.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &t.name, Key: k, ConsistentRead: aws.Bool(true)}, withMeter)
	if err != nil {
		return nil, fail(err, "%s", what)
	}
	return out.Item, nil
}

// queryAll reads and decodes every item of the partition, in descending sort key order,
// strongly consistent.
func queryAll[T any](ctx context.Context, t *table, pk, what string, decode func(map[string]types.AttributeValue) (T, error)) ([]T, error) {
	expr, err := expression.NewBuilder().WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(pk))).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: %s: %w", what, err)
	}
	in := &dynamodb.QueryInput{TableName: &t.name, KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(false), ConsistentRead: aws.Bool(true)}
	all := []T{}
	for {
		out, err := t.client.Query(ctx, in, withMeter)
		if err != nil {
			return nil, fail(err, "%s", what)
		}
		for _, av := range out.Items {
			v, err := decode(av)
			if err != nil {
				return nil, err
			}
			all = append(all, v)
		}
		if out.LastEvaluatedKey == nil {
			return all, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// transactAccounts runs the transaction, retrying transient cancellations like the content
// stores do. It returns the index of the first item whose condition failed (and a nil
// error), or -1 and the error of the transaction.
func (t *table) transactAccounts(ctx context.Context, items []types.TransactWriteItem, what string) (int, error) {
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items}
	for attempt := 1; ; attempt++ {
		_, err := t.client.TransactWriteItems(ctx, in, withMeter)
		if err == nil {
			return -1, nil
		}
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) {
			return -1, fail(err, "%s", what)
		}
		codes := make([]string, len(cancelled.CancellationReasons))
		for i, r := range cancelled.CancellationReasons {
			codes[i] = aws.ToString(r.Code)
		}
		if i := slices.Index(codes, "ConditionalCheckFailed"); i >= 0 {
			return i, nil
		}
		if !slices.ContainsFunc(codes, transientReason) {
			return -1, fail(err, "%s: cancelled: %s", what, reasons(cancelled.CancellationReasons))
		}
		if attempt == maxTransactAttempts {
			return -1, fmt.Errorf("%w (dynamo: %s: still cancelled after %d attempts: %s)",
				errUnavailable(), what, attempt, reasons(cancelled.CancellationReasons))
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return -1, fail(err, "%s", what)
		}
	}
}

type sessionItem struct {
	ID         string    `dynamodbav:"id"`
	Hash       string    `dynamodbav:"hash"`
	UserID     string    `dynamodbav:"userId"`
	CreatedAt  time.Time `dynamodbav:"createdAt"`
	LastSeenAt time.Time `dynamodbav:"lastSeenAt"`
	ExpiresAt  time.Time `dynamodbav:"expiresAt"`
	Method     string    `dynamodbav:"method"`
	UserAgent  string    `dynamodbav:"userAgent,omitempty"`
	Address    string    `dynamodbav:"address,omitempty"`
	TTL        int64     `dynamodbav:"ttl"`
}

func fromSessionItem(av map[string]types.AttributeValue) (*pause.Session, error) {
	var r sessionItem
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return nil, fmt.Errorf("dynamo: decode session: %w", err)
	}
	return &pause.Session{ID: r.ID, Hash: r.Hash, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), Method: r.Method, UserAgent: r.UserAgent,
		Address: r.Address}, nil
}

// sessionStore is pause.SessionStore on the table.
type sessionStore struct{ t *table }

// CreateSession writes the session under its hash and its copy under its user, each if it
// does not exist, and the audit entry, in one transaction.
func (s sessionStore) CreateSession(ctx context.Context, se *pause.Session, e *pause.AuditEntry) error {
	if !validID(se.ID) || !validID(se.UserID) || se.Hash == "" || len(se.Hash) > 256 {
		return pause.FieldErrorf("id", "a session needs an id, a user id and a hash")
	}
	av, err := attributevalue.MarshalMap(sessionItem{ID: se.ID, Hash: se.Hash, UserID: se.UserID,
		CreatedAt: se.CreatedAt.UTC(), LastSeenAt: se.LastSeenAt.UTC(), ExpiresAt: se.ExpiresAt.UTC(),
		Method: se.Method, UserAgent: se.UserAgent, Address: se.Address, TTL: se.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("dynamo: encode session %s: %w", se.ID, err)
	}
	byHash, byUser := maps.Clone(av), maps.Clone(av)
	maps.Copy(byHash, key(sessionPK(se.Hash), skSession))
	maps.Copy(byUser, key(userSessionsPK(se.UserID), se.ID))
	notExists := aws.String("attribute_not_exists(" + attrPK + ")")
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.t.name, Item: byHash, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: &s.t.name, Item: byUser, ConditionExpression: notExists}},
	}
	if items, err = s.t.withAudit(items, e); err != nil {
		return err
	}
	if failed, err := s.t.transactAccounts(ctx, items, "create session "+se.ID); failed >= 0 {
		return pause.Errorf(pause.ECONFLICT, "The session exists.")
	} else {
		return err
	}
}

func (s sessionStore) SessionByHash(ctx context.Context, hash string) (*pause.Session, error) {
	if hash == "" || len(hash) > 256 {
		return nil, pause.Errorf(pause.ENOTFOUND, "No such session.")
	}
	av, err := s.t.getItem(ctx, key(sessionPK(hash), skSession), "get session")
	if err != nil {
		return nil, err
	}
	if av == nil {
		return nil, pause.Errorf(pause.ENOTFOUND, "No such session.")
	}
	return fromSessionItem(av)
}

// TouchSession reads the session (for its user and id), then sets lastSeenAt on both of its
// items in one transaction, if they exist and their lastSeenAt is earlier.
func (s sessionStore) TouchSession(ctx context.Context, hash string, at time.Time) error {
	se, err := s.SessionByHash(ctx, hash)
	if err != nil {
		return err
	}
	if !at.After(se.LastSeenAt) {
		return nil
	}
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("lastSeenAt"), expression.Value(at.UTC()))).
		WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: touch session: %w", err)
	}
	update := func(k map[string]types.AttributeValue) types.TransactWriteItem {
		return types.TransactWriteItem{Update: &types.Update{TableName: &s.t.name, Key: k,
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}
	}
	failed, err := s.t.transactAccounts(ctx, []types.TransactWriteItem{
		update(key(sessionPK(hash), skSession)), update(key(userSessionsPK(se.UserID), se.ID)),
	}, "touch session "+se.ID)
	if failed >= 0 {
		return pause.Errorf(pause.ENOTFOUND, "No such session.")
	}
	return err
}

func (s sessionStore) UserSessions(ctx context.Context, userID string) ([]*pause.Session, error) {
	if !validID(userID) {
		return []*pause.Session{}, nil
	}
	out, err := queryAll(ctx, s.t, userSessionsPK(userID), "list sessions", fromSessionItem)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, err
}

// DeleteSession reads the user's copy of the session (for its hash), then deletes both of
// its items, on the condition that the copy exists, with the audit entry, in one transaction.
func (s sessionStore) DeleteSession(ctx context.Context, userID, id string, e *pause.AuditEntry) error {
	notFound := pause.Errorf(pause.ENOTFOUND, "You have no session %s.", id)
	if !validID(userID) || !validID(id) {
		return notFound
	}
	av, err := s.t.getItem(ctx, key(userSessionsPK(userID), id), "get session "+id)
	if err != nil {
		return err
	}
	if av == nil {
		return notFound
	}
	se, err := fromSessionItem(av)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.t.name, Key: key(userSessionsPK(userID), id),
			ConditionExpression: aws.String("attribute_exists(" + attrPK + ")")}},
		{Delete: &types.Delete{TableName: &s.t.name, Key: key(sessionPK(se.Hash), skSession)}},
	}
	if items, err = s.t.withAudit(items, e); err != nil {
		return err
	}
	if failed, err := s.t.transactAccounts(ctx, items, "delete session "+id); failed >= 0 {
		return notFound
	} else {
		return err
	}
}

// failureStore is pause.FailureStore on the table: one item per key, which DynamoDB's TTL
// deletes some time after FailureMemory.
type failureStore struct{ t *table }

// AddFailure adds one to the count if its last failure is recent enough (a conditional
// update), and otherwise starts it again at 1 (a put on the opposite condition); when another
// writer came between the two, it tries again. Times are Unix nanoseconds, so that DynamoDB
// compares them as numbers.
func (s failureStore) AddFailure(ctx context.Context, key string, at time.Time) (pause.Failures, error) {
	k := failureKey(key)
	cutoff := at.Add(-pause.FailureMemory).UnixNano()
	ttl := at.Add(pause.FailureMemory).Unix()
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name(attrCount), expression.Value(1)).
			Set(expression.Name(attrLast), expression.Value(at.UnixNano())).
			Set(expression.Name(attrTTL), expression.Value(ttl))).
		WithCondition(expression.Name(attrLast).GreaterThan(expression.Value(cutoff))).Build()
	if err != nil {
		return pause.Failures{}, fmt.Errorf("dynamo: count failure: %w", err)
	}
	restart, err := expression.NewBuilder().WithCondition(expression.Or(
		expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name(attrLast).LessThanEqual(expression.Value(cutoff)))).Build()
	if err != nil {
		return pause.Failures{}, fmt.Errorf("dynamo: count failure: %w", err)
	}
	item := maps.Clone(k)
	item[attrCount] = &types.AttributeValueMemberN{Value: "1"}
	item[attrLast] = &types.AttributeValueMemberN{Value: strconv.FormatInt(at.UnixNano(), 10)}
	item[attrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(ttl, 10)}
	var failed *types.ConditionalCheckFailedException
	for attempt := 0; attempt < 5; attempt++ {
		out, err := s.t.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.t.name, Key: k,
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValues: types.ReturnValueAllNew}, withMeter)
		if err == nil {
			return decodeFailures(out.Attributes)
		} else if !errors.As(err, &failed) {
			return pause.Failures{}, fail(err, "count failure")
		}
		_, err = s.t.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.t.name, Item: item,
			ConditionExpression: restart.Condition(), ExpressionAttributeNames: restart.Names(),
			ExpressionAttributeValues: restart.Values()}, withMeter)
		if err == nil {
			return pause.Failures{Count: 1, Last: at.UTC()}, nil
		} else if !errors.As(err, &failed) {
			return pause.Failures{}, fail(err, "count failure")
		}
	}
	return pause.Failures{}, fmt.Errorf("%w (dynamo: count failure: contended)", errUnavailable())
}

func failureKey(k string) map[string]types.AttributeValue { return key(failurePK(k), skFailure) }

// attrLast is the time of the last failure of a count, in Unix nanoseconds.
const attrLast = "lastNs"

func decodeFailures(av map[string]types.AttributeValue) (pause.Failures, error) {
	var r struct {
		N    int   `dynamodbav:"n"`
		Last int64 `dynamodbav:"lastNs"`
	}
	if err := attributevalue.UnmarshalMap(av, &r); err != nil {
		return pause.Failures{}, fmt.Errorf("dynamo: decode failures: %w", err)
	}
	return pause.Failures{Count: r.N, Last: time.Unix(0, r.Last).UTC()}, nil
}

func (s failureStore) Failures(ctx context.Context, key string, at time.Time) (pause.Failures, error) {
	av, err := s.t.getItem(ctx, failureKey(key), "get failures")
	if err != nil || av == nil {
		return pause.Failures{}, err
	}
	f, err := decodeFailures(av)
	if err != nil || !at.Before(f.Last.Add(pause.FailureMemory)) {
		return pause.Failures{}, err
	}
	return f, nil
}

func (s failureStore) ClearFailures(ctx context.Context, key string) error {
	_, err := s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.t.name, Key: failureKey(key)}, withMeter)
	return fail(err, "clear failures")
}

func (s failureStore) LogFailure(ctx context.Context, e *pause.AuditEntry) error {
	av, err := auditAV(e)
	if err != nil {
		return err
	}
	_, err = s.t.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.t.name, Item: av}, withMeter)
	return fail(err, "log failed sign-in")
}
