package sqlite

import (
	"testing"

	"github.com/catalonia/mygov/storetest"
)

func BenchmarkIngest(b *testing.B) { storetest.BenchmarkIngest(b, inspected(openFile(b, tempPath(b)))) }
