package main

import (
	"fmt"
	"reflect"
	"strings"

	"pause"
)

// goType is a registered content type as Go code names it: what the code written for the
// backends and tests needs beside the declaration.
type goType struct {
	*pause.ContentType
	// Item, Filter and Input are the type's struct, filter and input, such as pause.Article
	// (whose items are *pause.Article), pause.ArticleFilter and pause.ArticleInput.
	Item, Filter, Input reflect.Type
	// Field is the type's field in pause.CMS and in pause.Stores, such as "Articles".
	Field string
	// Store is the type of its field in pause.Stores: pause.Store[T, F], or an interface of the
	// type's own that embeds it (pause.ToolStore).
	Store reflect.Type
}

// OwnStore reports whether the type's store has methods beyond pause.Store's (ToolStore), which
// each backend implements by hand.
func (t goType) OwnStore() bool { return !strings.HasPrefix(t.Store.Name(), "Store[") }

// declared returns the registry's content types (pause.Declared), in its order, with their Go
// types and fields. It needs no backend, so that it runs before the code written for the
// backends exists.
func declared() ([]goType, error) {
	cmsType, storesType := reflect.TypeFor[pause.CMS](), reflect.TypeFor[pause.Stores]()
	var out []goType
	for _, col := range pause.Declared() {
		v := reflect.ValueOf(col)
		t := goType{
			ContentType: col.Type(),
			Item:        v.MethodByName("Get").Type().Out(0).Elem(),
			Filter:      v.MethodByName("Count").Type().In(1),
			Input:       v.MethodByName("Create").Type().In(1),
		}
		for i := range cmsType.NumField() {
			if f := cmsType.Field(i); f.Type == v.Type() {
				t.Field = f.Name
			}
		}
		if t.Field == "" {
			return nil, fmt.Errorf("the %s type is registered but pause.CMS has no field of its collection's type", t.Name)
		}
		sf, ok := storesType.FieldByName(t.Field)
		if !ok {
			return nil, fmt.Errorf("pause.Stores has no field %s for the %s type: add `%s Store[*%s, %s]` (cms.go)", t.Field, t.Name, t.Field, t.Item.Name(), t.Filter.Name())
		}
		t.Store = sf.Type
		out = append(out, t)
	}
	return out, nil
}
