package ghpkg_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// emulator is a running emulator process and what it printed.
type emulator struct {
	cmd         *exec.Cmd
	URL         string `json:"url"`
	Token       string `json:"token"`
	RegistryURL string `json:"registry_url"`
}

var (
	demo   *emulator // ghpkg-emulator with the demo dataset
	faults *emulator // ghpkg-emulator with the --fault rules below
)

// ghpkg-emulator --fault KIND[:ARG]@PATH[xCOUNT]: each rule applies forever
// (x*) to requests whose raw path contains PATH; the first matching rule
// wins, so the catch-all latency rule comes last.
var faultRules = []string{
	"status:502@/orgs/acme/packages/npm/ui-kitx*",
	"malformed_json@/orgs/acme/packages/maven/com.acme.corex*",
	"secondary_rate_limit:42@/orgs/acme/packages/docker/legacy-workerx*",
	"latency:3000@/orgs/acme/packages/container/only-tagx*",
	"latency:200@/orgs/acme/packagesx*",
}

func binary(env, fallback string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	p, _ := filepath.Abs(fallback)
	return p
}

func startEmulator(path string, args ...string) (*emulator, error) {
	cmd := exec.Command(path, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w (build it with cargo first)", path, err)
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s printed no address: %w", path, err)
	}
	e := &emulator{cmd: cmd}
	if err := json.Unmarshal(line, e); err != nil {
		_ = cmd.Process.Kill()
		return nil, err
	}
	return e, nil
}

func (e *emulator) stop() {
	if e != nil {
		_ = e.cmd.Process.Kill()
		_ = e.cmd.Wait()
	}
}

func TestMain(m *testing.M) {
	var err error
	demo, err = startEmulator(binary("GHPKG_EMULATOR", "../target/debug/ghpkg-emulator"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var args []string
	for _, r := range faultRules {
		args = append(args, "--fault", r)
	}
	faults, err = startEmulator(binary("GHPKG_EMULATOR", "../target/debug/ghpkg-emulator"), args...)
	if err != nil {
		demo.stop()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The example reads its settings from the environment, like real programs.
	os.Setenv("GITHUB_API_URL", demo.URL)
	os.Setenv("GITHUB_TOKEN", demo.Token)
	code := m.Run()
	demo.stop()
	faults.stop()
	os.Exit(code)
}
