package pause

import (
	"context"
	"reflect"
)

// The methods below let code that iterates the registry (content import and export) read and
// write items whatever their type, as Content.

// NewItem returns a new, empty item of the collection's type.
func (k *Collection[T, F, I]) NewItem() Content {
	var zero T
	return reflect.New(reflect.TypeOf(zero).Elem()).Interface().(Content)
}

// GetContentBySlug is GetBySlug, for code generic over the types.
func (k *Collection[T, F, I]) GetContentBySlug(ctx context.Context, slug string) (Content, error) {
	item, err := k.GetBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	return item, nil
}

// ImportContent is Import, for code generic over the types: item must be of the collection's
// type.
func (k *Collection[T, F, I]) ImportContent(ctx context.Context, item Content) (bool, error) {
	return k.Import(ctx, item.(T))
}

// AllContent returns every item the viewer may see, whole (lists may leave out bodies), in the
// type's default order.
func (k *Collection[T, F, I]) AllContent(ctx context.Context) ([]Content, error) {
	var out []Content
	q := Query[F]{First: MaxFirst}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := k.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, summary := range p.Items {
			item, err := k.Get(ctx, summary.Metadata().ID)
			if err != nil {
				return nil, err
			}
			out = append(out, item)
		}
		if !p.HasNextPage || len(p.Items) == 0 {
			return out, nil
		}
		q.After = p.EndCursor()
	}
}
