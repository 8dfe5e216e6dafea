package mockidp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// jsonExamples are sample values of control API keys, shown when a value
// has the wrong type.
var jsonExamples = map[string]string{
	"duration": `"90m"`, "delay": `"2s"`, "username": `"alice"`, "endpoint": `"token"`,
	"status": "503", "groups": `["admins"]`, "claims": `{"team": "sre"}`,
	"email_verified": "true",
}

// decodeJSON decodes a request body holding one JSON object into v, which
// points to a struct. Unknown keys, wrong types and data after the object are
// errors, worded for the person who wrote the request.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(err, v)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("request body has data after the JSON object: send one JSON object")
	}
	return nil
}

// describeJSONError rewrites an encoding/json error without Go type names.
func describeJSONError(err error, v any) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooLarge  *http.MaxBytesError
	)
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("request body ends inside the JSON object: send a complete object")
	case errors.As(err, &tooLarge):
		return fmt.Errorf("request body is larger than %d bytes: send a smaller object",
			tooLarge.Limit)
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("request body is not valid JSON at byte %d: %s", syntaxErr.Offset,
			strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return fmt.Errorf("request body must be a JSON object, not %s", article(typeErr.Value))
		}
		want, got := jsonKind(typeErr.Type), article(typeErr.Value)
		if field, ok := jsonField(reflect.TypeOf(v), typeErr.Field); ok &&
			field.Kind() == reflect.Slice && field != typeErr.Type {
			// The error is about one element of an array.
			elem := strings.TrimPrefix(jsonKind(field.Elem()), "a ")
			want, got = "an array of "+elem+"s", "an array holding "+got
		}
		key := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		if example, ok := jsonExamples[key]; ok {
			want += " such as " + example
		}
		return fmt.Errorf("%s must be %s, not %s", typeErr.Field, want, got)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown key %s: use one of %s", name,
			strings.Join(jsonKeys(reflect.TypeOf(v)), ", "))
	}
	return fmt.Errorf("decoding the JSON request body: %w", err)
}

// jsonKind names what a JSON value of Go type t looks like.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// article puts "a" or "an" before a JSON kind such as "number" or "array".
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

// jsonField returns the type of the field with JSON key key in the struct t
// points to.
func jsonField(t reflect.Type, key string) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && cmpOr(name, f.Name) == key {
			return f.Type, true
		}
	}
	return nil, false
}

// jsonKeys lists the JSON keys of the struct t points to, sorted.
func jsonKeys(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		keys = append(keys, cmpOr(name, f.Name))
	}
	slices.Sort(keys)
	return keys
}
