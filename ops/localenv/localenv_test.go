package localenv

import (
	"slices"
	"testing"

	"selfhost/config"
	"selfhost/emulator"
)

// Every synth of a session: the backend at the emulator, the provider's
// endpoint from the session's environment, the emulator's account only.
func TestEmulate(t *testing.T) {
	c := &config.Config{}
	c.AWS.Endpoint = "http://127.0.0.1:5000"
	c.AWS.AllowedAccountIDs = []string{"210987654321"}
	emulate(c, "https://127.0.0.1:40123")
	if c.AWS.Endpoint != "https://127.0.0.1:40123" || !c.AWS.EndpointFromEnvironment {
		t.Errorf("endpoint %q, from environment %v; want the emulator's, from the environment", c.AWS.Endpoint, c.AWS.EndpointFromEnvironment)
	}
	if !slices.Equal(c.AWS.AllowedAccountIDs, []string{emulator.AccountID}) {
		t.Errorf("allowed accounts %v, want the emulator's %s only", c.AWS.AllowedAccountIDs, emulator.AccountID)
	}
}
