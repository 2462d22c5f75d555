package config

import (
	"strings"
	"testing"
)

func TestPprofAddr(t *testing.T) {
	tests := []struct {
		name, value, want string
		wantErr           bool
	}{
		{name: "Unset", value: "", want: ""},
		{name: "Loopback", value: "127.0.0.1:6060", want: "127.0.0.1:6060"},
		{name: "NoPort", value: "127.0.0.1", wantErr: true},
		{name: "Garbage", value: "<script>", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(func(name string) string {
				if name == EnvPprofAddr {
					return tt.value
				}
				return ""
			})
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), EnvPprofAddr) {
					t.Errorf("err = %v, want one naming %s", err, EnvPprofAddr)
				}
				return
			}
			if err != nil || c.PprofAddr != tt.want {
				t.Errorf("PprofAddr = %q, %v; want %q", c.PprofAddr, err, tt.want)
			}
		})
	}
}
