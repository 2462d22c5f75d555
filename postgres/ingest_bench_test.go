package postgres

import (
	"testing"

	"github.com/catalonia/mygov/storetest"
)

func BenchmarkIngest(b *testing.B) { storetest.BenchmarkIngest(b, inspected(openSchema(b, ""))) }
