package ingest

import _ "embed"

// openAPI is the API's OpenAPI document, served at /api/v1/openapi.json.
//
//go:embed openapi.json
var openAPI []byte
